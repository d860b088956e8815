using IdentityBridge.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The database (SQLite or PostgreSQL), its migrations, and the shared data protection key ring.</summary>
    public static IServiceCollection AddBridgeStorage(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<BridgeDbContext>((sp, db) => Configure(db, sp.GetRequiredService<DatabaseConnection>()));
        // A scoped context for request code; background work uses the factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContext());
        services.AddSingleton(sp => new DatabaseConnection(sp.GetRequiredService<IOptions<BridgeOptions>>(), sp.GetRequiredService<IHostEnvironment>()));
        services.AddSingleton<DatabaseMigrator>();

        services.AddDataProtection().SetApplicationName("IdentityBridge");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<BridgeDbContext>>())));
        return services;
    }

    /// <summary>The table where the applied migrations are recorded.</summary>
    internal const string MigrationsHistoryTable = "schema_migrations";

    internal static void Configure(DbContextOptionsBuilder db, DatabaseConnection connection)
    {
        if (connection.Provider == DatabaseProvider.Postgres)
            db.UseNpgsql(connection.ConnectionString, o => o.MigrationsHistoryTable(MigrationsHistoryTable));
        else
            db.UseSqlite(connection.ConnectionString, o => o.MigrationsHistoryTable(MigrationsHistoryTable))
                .AddInterceptors(SqliteConnectionSettings.Instance);
        // The migrations are written by hand (no design-time tooling here), so there is no model snapshot
        // to compare against; the schema tests check that model and migrations agree instead.
        db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }
}

/// <summary>The resolved provider and connection string (SQLite defaults to a file in the data folder).</summary>
public sealed class DatabaseConnection
{
    public DatabaseConnection(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = provider == DatabaseProvider.Postgres ? WithPostgresDefaults(connectionString) : connectionString;
    }

    public DatabaseConnection(IOptions<BridgeOptions> options, IHostEnvironment environment)
    {
        var o = options.Value;
        Provider = o.Database.Provider;
        if (!string.IsNullOrWhiteSpace(o.Database.ConnectionString))
        {
            ConnectionString = Provider == DatabaseProvider.Postgres ? WithPostgresDefaults(o.Database.ConnectionString) : o.Database.ConnectionString;
            return;
        }
        var folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.DataPath));
        Directory.CreateDirectory(folder);
        ConnectionString = $"Data Source={Path.Combine(folder, "identitybridge.db")};Pooling=True";
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>
    /// Defaults for PostgreSQL that an operator's connection string may override: the bridge runs the same
    /// few statements all day, so Npgsql prepares them on the server (no parse and plan per request), and it
    /// sets no session state, so a pooled connection needs no DISCARD ALL when it is reused.
    /// </summary>
    internal static string WithPostgresDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }
}
