// A host for EF Core's design-time tools only (see scripts/compile-model.sh); it has nothing to run.
Console.Error.WriteLine("IdentityBridge.Design is used by `dotnet ef` (scripts/compile-model.sh) and does nothing on its own.");
return 2;
