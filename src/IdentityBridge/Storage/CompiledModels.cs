using IdentityBridge.Configuration;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IdentityBridge.Storage;

/// <summary>
/// The model of <see cref="BridgeDbContext"/> as EF Core's compiled models, one per provider (generated into
/// <c>Storage/CompiledModel</c> by <c>scripts/compile-model.sh</c>). Building the model from its configuration
/// (conventions, then every entity of <see cref="BridgeDbContext"/>) took about a fifth of the bridge's CPU
/// time from launch to its first answer; the compiled model is code that constructs the finished model.
/// After a change to the entities or their mapping the models must be generated again: the schema tests
/// compare each compiled model with the one the configuration builds, and fail until they agree.
/// </summary>
internal static class CompiledModels
{
#if BRIDGE_DESIGN_TIME
    public static IModel For(DatabaseProvider provider) =>
        throw new InvalidOperationException($"This build has no compiled model (for {provider}): it exists to generate them.");
#else
    public static IModel For(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? CompiledModel.Postgres.BridgeDbContextModel.Instance
        : CompiledModel.Sqlite.BridgeDbContextModel.Instance;
#endif
}
