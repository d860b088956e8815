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
    /// <param name="keyRing">The certificates that encrypt the key ring at rest (<c>Bridge:KeyRing</c>), when configured.</param>
    public static IServiceCollection AddBridgeStorage(this IServiceCollection services, KeyRingCertificates? keyRing = null)
    {
        services.AddPooledDbContextFactory<BridgeDbContext>((sp, db) => Configure(db, sp.GetRequiredService<DatabaseConnection>()));
        // A scoped context for request code; background work uses the factory.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContext());
        services.AddSingleton(sp => new DatabaseConnection(sp.GetRequiredService<IOptions<BridgeOptions>>(), sp.GetRequiredService<IHostEnvironment>()));
        services.AddSingleton<DirectDbContextFactory>();
        // Migrations run on a connection of their own (EF Core locks the history table for the run).
        services.AddSingleton(sp => new DatabaseMigrator(sp.GetRequiredService<DirectDbContextFactory>(),
            sp.GetRequiredService<DatabaseConnection>(), sp.GetRequiredService<ILogger<DatabaseMigrator>>()));

        var dataProtection = services.AddDataProtection().SetApplicationName("IdentityBridge");
        if (keyRing is not null)
        {
            // New entries are encrypted with the current certificate; older ones decrypt with it or a previous one.
            dataProtection.ProtectKeysWithCertificate(keyRing.Current);
            dataProtection.UnprotectKeysWithAnyCertificate([keyRing.Current, .. keyRing.Previous]);
        }
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<DirectDbContextFactory>())));
        return services;
    }

    /// <summary>The table where the applied migrations are recorded.</summary>
    internal const string MigrationsHistoryTable = "schema_migrations";

    /// <summary>
    /// The bridge's columns are all of PostgreSQL's built-in types (text, integers, booleans), which Npgsql knows
    /// without asking the server. By default each data source (request work, and the direct one) queries the
    /// catalog's types on its first connection and maps every row it gets; skipping that is a small part of a start
    /// (restarts of published builds, eight alternating pairs: 2.10 s on average before, 2.02 s after, less than
    /// this machine's noise between runs). One instance, so that every context's options stay equal and share EF
    /// Core's internal service provider.
    /// </summary>
    internal static readonly Action<Npgsql.NpgsqlDataSourceBuilder> BuiltInTypesOnly =
        source => source.ConfigureTypeLoading(types => types.EnableTypeLoading(false));

    /// <param name="direct">Use the connection string without multiplexing (see <see cref="DatabaseConnection.DirectConnectionString"/>).</param>
    /// <param name="compiledModel">
    /// Start from the provider's compiled model (<see cref="CompiledModels"/>) instead of building the model from
    /// <see cref="BridgeDbContext"/>'s configuration at the first use; false only where the compiled models are
    /// themselves generated or checked.
    /// </param>
    internal static void Configure(DbContextOptionsBuilder db, DatabaseConnection connection, bool direct = false, bool compiledModel = true)
    {
        if (connection.Provider == DatabaseProvider.Postgres)
            db.UseNpgsql(direct ? connection.DirectConnectionString : connection.ConnectionString,
                o => o.MigrationsHistoryTable(MigrationsHistoryTable).ConfigureDataSource(BuiltInTypesOnly));
        else
            db.UseSqlite(connection.ConnectionString, o => o.MigrationsHistoryTable(MigrationsHistoryTable))
                .AddInterceptors(SqliteConnectionSettings.Instance);
        // The migrations are written by hand (no design-time tooling here), so there is no model snapshot
        // to compare against; the schema tests check that model and migrations agree instead.
        db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        if (compiledModel) db.UseModel(CompiledModels.For(connection.Provider));
    }
}

/// <summary>The resolved provider and connection string (SQLite defaults to a file in the data folder).</summary>
public sealed class DatabaseConnection
{
    public DatabaseConnection(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = provider == DatabaseProvider.Postgres ? WithPostgresDefaults(connectionString) : connectionString;
        DirectConnectionString = provider == DatabaseProvider.Postgres ? WithoutMultiplexing(ConnectionString) : ConnectionString;
    }

    public DatabaseConnection(IOptions<BridgeOptions> options, IHostEnvironment environment)
    {
        var o = options.Value;
        Provider = o.Database.Provider;
        if (!string.IsNullOrWhiteSpace(o.Database.ConnectionString))
        {
            ConnectionString = Provider == DatabaseProvider.Postgres ? WithPostgresDefaults(o.Database.ConnectionString) : o.Database.ConnectionString;
            DirectConnectionString = Provider == DatabaseProvider.Postgres ? WithoutMultiplexing(ConnectionString) : ConnectionString;
            return;
        }
        var folder = Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.DataPath));
        Directory.CreateDirectory(folder);
        ConnectionString = DirectConnectionString = $"Data Source={Path.Combine(folder, "identitybridge.db")};Pooling=True";
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The connection string of request work.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The same database without multiplexing, for work that needs a connection of its own or runs
    /// synchronously (which a multiplexing Npgsql data source refuses): migrations and the data
    /// protection key ring, which ASP.NET Core reads and writes synchronously. Equal to
    /// <see cref="ConnectionString"/> on SQLite.
    /// </summary>
    public string DirectConnectionString { get; }

    /// <summary>
    /// Defaults for PostgreSQL that an operator's connection string may override: the bridge runs the same
    /// few statements all day, so Npgsql prepares them on the server (no parse and plan per request); it
    /// sets no session state, so a pooled connection needs no DISCARD ALL when it is reused; and request
    /// work multiplexes: commands of concurrent requests share the pool's connections and go out in
    /// batches, instead of each request holding a connection for its round trip (fewer system calls and
    /// wake-ups on both sides). Nothing on the request path keeps session state outside a transaction,
    /// which is what multiplexing requires.
    /// </summary>
    internal static string WithPostgresDefaults(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        if (!connectionString.Contains("Multiplexing", StringComparison.OrdinalIgnoreCase)) builder.Multiplexing = true;
        return builder.ConnectionString;
    }

    private static string WithoutMultiplexing(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Multiplexing = false }.ConnectionString;
}

/// <summary>
/// Contexts on <see cref="DatabaseConnection.DirectConnectionString"/> (no multiplexing), not pooled:
/// for the rare work that needs them (start-up migrations, the data protection key ring).
/// Its options name the same application services as the pooled contexts' (the connection string is
/// the only difference), so EF Core keeps one internal service provider: one model, one query cache,
/// built once at start-up rather than twice.
/// </summary>
public sealed class DirectDbContextFactory(DatabaseConnection connection, IServiceProvider services) : IDbContextFactory<BridgeDbContext>
{
    private readonly DbContextOptions<BridgeDbContext> _options = Build(connection, services);

    public BridgeDbContext CreateDbContext() => new(_options);

    private static DbContextOptions<BridgeDbContext> Build(DatabaseConnection connection, IServiceProvider services)
    {
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        builder.UseApplicationServiceProvider(services);
        StorageServiceCollectionExtensions.Configure(builder, connection, direct: true);
        return builder.Options;
    }
}
