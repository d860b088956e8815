using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityBridge.Design;

/// <summary>
/// The bridge's context for EF Core's tools, on the provider named by the one argument after <c>--</c>
/// (<c>sqlite</c> or <c>postgres</c>), configured as the bridge configures it but with the model built from
/// <see cref="BridgeDbContext.OnModelCreating"/> rather than loaded from the compiled one (which is what the
/// tools are asked to write). No database is opened.
/// </summary>
public sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<BridgeDbContext>
{
    public BridgeDbContext CreateDbContext(string[] args)
    {
        var provider = args switch
        {
            ["sqlite"] => DatabaseProvider.Sqlite,
            ["postgres"] => DatabaseProvider.Postgres,
            _ => throw new ArgumentException("Name the provider after --: sqlite or postgres."),
        };
        var connection = new DatabaseConnection(provider,
            provider == DatabaseProvider.Postgres ? "Host=localhost;Database=identitybridge" : "Data Source=identitybridge.db");
        var options = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(options, connection, direct: true, compiledModel: false);
        return new BridgeDbContext(options.Options);
    }
}
