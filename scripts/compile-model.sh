#!/usr/bin/env bash
# Writes EF Core's compiled models of the bridge's database (one per provider) into
# src/IdentityBridge/Storage/CompiledModel/. Run it after changing an entity or its mapping in
# BridgeDbContext (the schema tests fail until the compiled models agree with the configuration).
# Needs the dotnet-ef tool of the EF Core version in Directory.Packages.props:
#   dotnet tool install -g dotnet-ef --version 10.0.11
set -euo pipefail
cd "$(dirname "$0")/.."
STORAGE=src/IdentityBridge/Storage
# The selector refers to the models being regenerated: build once without it, from empty model folders
# replaced by a placeholder, so that a broken or missing compiled model cannot stop its own regeneration.
dotnet build tools/IdentityBridge.Design -c Debug -nologo -clp:ErrorsOnly -p:BridgeDesignTime=true
for provider in sqlite postgres; do
  name=$([ "$provider" = sqlite ] && echo Sqlite || echo Postgres)
  rm -rf "$STORAGE/CompiledModel/$name"
  dotnet ef dbcontext optimize --no-build --configuration Debug \
    --project src/IdentityBridge --startup-project tools/IdentityBridge.Design --context BridgeDbContext \
    --output-dir "Storage/CompiledModel/$name" --namespace "IdentityBridge.Storage.CompiledModel.$name" -- "$provider"
  # The models are chosen per provider at start-up (CompiledModels.For), not by the assembly attribute
  # that would make EF Core use one of them for every provider.
  rm -f "$STORAGE/CompiledModel/$name/BridgeDbContextAssemblyAttributes.cs"
done
echo "Compiled models written to $STORAGE/CompiledModel/"
