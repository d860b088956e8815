using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// On PostgreSQL the pending migrations go to the database as one transaction: a first start (or an
/// upgrade) either brings the schema to the latest version or leaves it as it was, and several nodes
/// starting on one database at once apply each migration once. These tests use PostgreSQL in either suite
/// (<c>BRIDGE_TEST_POSTGRES</c>, which ./test.sh sets for both).
/// </summary>
public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task A_first_migration_that_fails_part_way_leaves_the_database_as_it_was()
    {
        var database = CreateDatabase();
        // A table the second migration creates is in the way: the first migration can run, the second cannot.
        await ExecuteAsync(database, "CREATE TABLE signin_requests (id text PRIMARY KEY)");

        await Assert.ThrowsAsync<PostgresException>(() => Migrator(database).MigrateAsync());

        Assert.Empty(await AppliedAsync(database));
        Assert.False(await TableExistsAsync(database, "accounts"), "the first migration's tables were kept although the schema did not reach its version");

        // Once the obstacle is gone the next start makes the whole schema.
        await ExecuteAsync(database, "DROP TABLE signin_requests");
        var applied = await Migrator(database).MigrateAsync();
        Assert.Equal(AllMigrations(database), applied);
        Assert.Equal(AllMigrations(database), await AppliedAsync(database));
    }

    [Fact]
    public async Task Nodes_starting_on_one_empty_database_at_once_apply_each_migration_once()
    {
        var database = CreateDatabase();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(database).MigrateAsync())));

        // One node applied them all; the others found them applied once the first let go of the history.
        Assert.Equal(AllMigrations(database), results.Single(r => r.Count > 0));
        Assert.All(results.Where(r => r.Count == 0), Assert.Empty);
        Assert.Equal(AllMigrations(database), await AppliedAsync(database));
        Assert.Empty(await Migrator(database).MigrateAsync());
    }

    [Fact]
    public async Task An_upgrade_applies_only_the_migrations_after_the_last_applied_one()
    {
        var database = CreateDatabase();
        await using (var db = Context(database))
        {
            await db.GetService<IMigrator>().MigrateAsync(DatabaseMigrator.InitialMigration);
        }
        await ExecuteAsync(database, "INSERT INTO accounts (id, status, email_verified, kyc_approved, created_at, updated_at) VALUES ('kept', 'Active', FALSE, FALSE, 1, 1)");

        var applied = await Migrator(database).MigrateAsync();

        Assert.Equal(AllMigrations(database).Skip(1), applied);
        Assert.Equal(AllMigrations(database), await AppliedAsync(database));
        await using var fresh = Context(database);
        var account = await fresh.Accounts.SingleAsync(a => a.Id == "kept");
        Assert.True(account.Enrolled);
        Assert.Equal(0, account.Version);
    }

    private static string Admin
    {
        get
        {
            var admin = Environment.GetEnvironmentVariable("BRIDGE_TEST_POSTGRES");
            Assert.False(string.IsNullOrEmpty(admin), "BRIDGE_TEST_POSTGRES is not set: run the suite with ./test.sh, which starts PostgreSQL.");
            return admin!;
        }
    }

    private static string CreateDatabase()
    {
        var name = "migrate_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new NpgsqlConnection(Admin);
        connection.Open();
        using (var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection)) command.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(Admin) { Database = name }.ConnectionString;
    }

    private static BridgeDbContext Context(string database)
    {
        var options = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(options, new DatabaseConnection(DatabaseProvider.Postgres, database), direct: true);
        return new BridgeDbContext(options.Options);
    }

    private static DatabaseMigrator Migrator(string database)
    {
        var connection = new DatabaseConnection(DatabaseProvider.Postgres, database);
        var options = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(options, connection, direct: true);
        return new DatabaseMigrator(new ContextFactory(options.Options), connection, NullLogger<DatabaseMigrator>.Instance);
    }

    private static List<string> AllMigrations(string database)
    {
        using var db = Context(database);
        return [.. db.Database.GetMigrations()];
    }

    private static async Task<List<string>> AppliedAsync(string database)
    {
        if (!await TableExistsAsync(database, StorageServiceCollectionExtensions.MigrationsHistoryTable)) return [];
        await using var db = Context(database);
        return [.. await db.Database.GetAppliedMigrationsAsync()];
    }

    private static async Task<bool> TableExistsAsync(string database, string table)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", connection);
        command.Parameters.AddWithValue("t", table);
        return await command.ExecuteScalarAsync() is true;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class ContextFactory(DbContextOptions<BridgeDbContext> options) : IDbContextFactory<BridgeDbContext>
    {
        public BridgeDbContext CreateDbContext() => new(options);
    }
}
