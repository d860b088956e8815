using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// The PostgreSQL defaults the bridge adds to an operator's connection string, and the connection it
/// keeps for synchronous work (which a multiplexing Npgsql data source refuses).
/// </summary>
public sealed class DatabaseConnectionTests
{
    private const string Operator = "Host=db.internal;Port=5432;Username=bridge;Password=secret;Database=identity";

    [Fact]
    public void Postgres_request_work_multiplexes_with_prepared_statements_and_no_reset()
    {
        var connection = new DatabaseConnection(DatabaseProvider.Postgres, Operator);

        var requests = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        Assert.True(requests.Multiplexing);
        Assert.Equal(64, requests.MaxAutoPrepare);
        Assert.True(requests.NoResetOnClose);
        Assert.Equal("db.internal", requests.Host);
        Assert.Equal("secret", requests.Password);
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres, Operator)]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=bridge.db")]
    public async Task Direct_and_pooled_contexts_share_one_internal_service_provider(DatabaseProvider provider, string connectionString)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddBridgeStorage();
        services.AddSingleton(new DatabaseConnection(provider, connectionString));
        await using var root = services.BuildServiceProvider();

        await using var pooled = await root.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContextAsync();
        await using var direct = root.GetRequiredService<DirectDbContextFactory>().CreateDbContext();
        // One internal provider means one model and one query cache, built once at start-up.
        Assert.Same(pooled.Model, direct.Model);
        Assert.Same(pooled.GetService<IMemoryCache>(), direct.GetService<IMemoryCache>());
    }

    [Fact]
    public void Postgres_direct_connection_is_the_same_database_without_multiplexing()
    {
        var connection = new DatabaseConnection(DatabaseProvider.Postgres, Operator);

        var direct = new NpgsqlConnectionStringBuilder(connection.DirectConnectionString);
        Assert.False(direct.Multiplexing);
        Assert.Equal("identity", direct.Database);
        Assert.Equal("db.internal", direct.Host);
        Assert.Equal(64, direct.MaxAutoPrepare);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Postgres_contexts_configure_their_data_source_to_skip_loading_the_catalog_types(bool direct)
    {
        // The schema uses only PostgreSQL's built-in types, which Npgsql knows without reading pg_type; each data
        // source (request work and direct work) otherwise reads the catalog on its first connection.
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(builder, new DatabaseConnection(DatabaseProvider.Postgres, Operator), direct);

        // The options extension is EF Core's internal API; nothing public says which data source action a context has.
#pragma warning disable EF1001
        var npgsql = builder.Options.FindExtension<Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal.NpgsqlOptionsExtension>();
        Assert.Same(StorageServiceCollectionExtensions.BuiltInTypesOnly, npgsql?.DataSourceBuilderAction);
#pragma warning restore EF1001
    }

    [Fact]
    public void Operator_settings_win_over_the_defaults()
    {
        var connection = new DatabaseConnection(DatabaseProvider.Postgres, Operator + ";Multiplexing=false;Max Auto Prepare=0;No Reset On Close=false");

        var requests = new NpgsqlConnectionStringBuilder(connection.ConnectionString);
        Assert.False(requests.Multiplexing);
        Assert.Equal(0, requests.MaxAutoPrepare);
        Assert.False(requests.NoResetOnClose);
    }

    [Fact]
    public void Sqlite_connection_string_is_used_as_given_for_both()
    {
        const string file = "Data Source=/var/lib/identitybridge/bridge.db;Pooling=True";
        var connection = new DatabaseConnection(DatabaseProvider.Sqlite, file);

        Assert.Equal(file, connection.ConnectionString);
        Assert.Equal(file, connection.DirectConnectionString);
    }
}
