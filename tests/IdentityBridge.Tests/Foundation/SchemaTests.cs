using System.Data.Common;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// The migrations are hand-written, so these tests are what keeps them honest: the migrated schema
/// must hold every table and column of the model, SQLite and PostgreSQL must get the same schema,
/// and an upgrade from version 1 must keep the rows.
/// </summary>
public sealed class SchemaTests
{
    private static BridgeDbContext Context(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(builder, new DatabaseConnection(provider, connectionString));
        return new BridgeDbContext(builder.Options);
    }

    private static DatabaseProvider Current => TestDatabase.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;

    [Fact]
    public async Task Migrated_schema_holds_every_table_and_column_of_the_model_with_its_nullability()
    {
        await using var db = Context(Current, TestDatabase.CreateDatabase());
        await db.Database.MigrateAsync();
        var schema = await ReadSchemaAsync(db);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            Assert.True(schema.ContainsKey(table), $"table {table} is missing from the migrations");
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName();
                Assert.True(schema[table].TryGetValue(column, out var nullable), $"column {table}.{column} is missing from the migrations");
                Assert.True(property.IsNullable == nullable, $"column {table}.{column}: model nullable={property.IsNullable}, database nullable={nullable}");
            }
            Assert.Equal(entity.GetProperties().Count(), schema[table].Count);
        }
    }

    [Fact]
    public async Task Migrated_schema_has_exactly_the_indexes_of_the_model()
    {
        // The hot queries are planned against these: an index the model declares but no migration creates
        // (or one a migration forgot to drop) changes what a query costs, not what it returns.
        await using var db = Context(Current, TestDatabase.CreateDatabase());
        await db.Database.MigrateAsync();
        var expected = new SortedSet<string>(db.Model.GetEntityTypes().SelectMany(e => e.GetIndexes())
            .Select(i => $"{i.DeclaringEntityType.GetTableName()}.{i.GetDatabaseName()}({string.Join(',', i.Properties.Select(p => p.GetColumnName()))})"), StringComparer.Ordinal);

        var actual = new SortedSet<string>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        var sql = db.Database.IsNpgsql()
            ? "SELECT t.relname, i.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
              + "JOIN pg_namespace n ON n.oid = t.relnamespace CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) "
              + "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum WHERE n.nspname = 'public' AND i.relname LIKE 'ix\\_%' ORDER BY t.relname, i.relname, k.ord"
            : "SELECT m.tbl_name, m.name, c.name FROM sqlite_master m JOIN pragma_index_info(m.name) c WHERE m.type = 'index' AND m.name LIKE 'ix\\_%' ESCAPE '\\' ORDER BY m.tbl_name, m.name, c.seqno";
        var columns = new Dictionary<(string Table, string Index), List<string>>();
        await foreach (var (table, index, column) in QueryStrings(connection, sql))
        {
            if (!columns.TryGetValue((table, index), out var list)) columns[(table, index)] = list = [];
            list.Add(column);
        }
        foreach (var ((table, index), list) in columns) actual.Add($"{table}.{index}({string.Join(',', list)})");

        Assert.Equal(expected, actual);
        Assert.Contains("grants.ix_grants_family_id_type(family_id,type)", actual);
    }

    private static async IAsyncEnumerable<(string, string, string)> QueryStrings(DbConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) yield return (reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    [Fact]
    public async Task Migrating_an_empty_database_logs_no_failed_command()
    {
        // A first start must not alarm its operator: on PostgreSQL, EF Core reads the migration history
        // without checking that its table exists, and logs the failed query as an error.
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var connection = new DatabaseConnection(Current, TestDatabase.CreateDatabase());
        var options = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(options, connection, direct: true);
        options.UseLoggerFactory(loggers);
        var migrator = new DatabaseMigrator(new ContextFactory(options.Options), connection, loggers.CreateLogger<DatabaseMigrator>());

        var applied = await migrator.MigrateAsync();

        Assert.NotEmpty(applied);
        Assert.Empty(await migrator.MigrateAsync());
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("CREATE TABLE", StringComparison.Ordinal));
    }

    private sealed class ContextFactory(DbContextOptions<BridgeDbContext> options) : IDbContextFactory<BridgeDbContext>
    {
        public BridgeDbContext CreateDbContext() => new(options);
    }

    [Fact]
    public async Task Sqlite_connections_wait_inside_sqlite_for_the_writer_and_sync_only_at_checkpoints()
    {
        // Without busy_timeout a write that meets another writer fails inside SQLite at once and the
        // ADO.NET provider retries it after a fixed 150 ms sleep; SQLite's own wait backs off in
        // milliseconds. synchronous=NORMAL is WAL's documented safe level (see SqliteConnectionSettings).
        await using var db = Context(DatabaseProvider.Sqlite, SqliteFile());
        await db.Database.OpenConnectionAsync();
        Assert.Equal(30000L, await Pragma(db, "busy_timeout"));
        Assert.Equal(1L, await Pragma(db, "synchronous"));
    }

    private static async Task<long> Pragma(BridgeDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Sqlite_and_postgres_get_the_same_tables_columns_and_nullability()
    {
        var postgres = Environment.GetEnvironmentVariable("BRIDGE_TEST_POSTGRES");
        Assert.False(string.IsNullOrEmpty(postgres), "BRIDGE_TEST_POSTGRES is not set: run the suite with ./test.sh, which starts PostgreSQL.");

        await using var lite = Context(DatabaseProvider.Sqlite, SqliteFile());
        await lite.Database.MigrateAsync();
        await using var pg = Context(DatabaseProvider.Postgres, CreatePostgresDatabase(postgres!));
        await pg.Database.MigrateAsync();

        var a = Flatten(await ReadSchemaAsync(lite));
        var b = Flatten(await ReadSchemaAsync(pg));
        Assert.Equal(a, b);
        Assert.Contains("accounts.id NOT NULL", a);
    }

    [Fact]
    public async Task Upgrading_a_version_1_database_keeps_its_rows()
    {
        await using var db = Context(Current, TestDatabase.CreateDatabase());
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("20261121000001_InitialSchema");
        Assert.Equal(["20261121000001_InitialSchema"], await db.Database.GetAppliedMigrationsAsync());

        // Rows as version 1 stores them (the current model has columns version 1 lacks): an account an
        // administrator created, one that a sign-in created (its user then linked a second wallet), and one
        // that a sign-in created and an administrator later linked a wallet to, as the audit trail records.
        var now = DateTimeOffset.UtcNow;
        var ms = now.ToUnixTimeMilliseconds();
        var signedUp = XrplAddress.CreateRandom();
        await db.Database.ExecuteSqlAsync($@"INSERT INTO accounts (id, display_name, email_verified, status, kyc_approved, created_at, updated_at)
            VALUES ('acc1', 'Ada', FALSE, 'Active', FALSE, {ms}, {ms}), ('acc2', 'Bob', FALSE, 'Active', FALSE, {ms}, {ms}),
                   ('acc3', 'Cy', FALSE, 'Active', FALSE, {ms}, {ms})");
        await db.Database.ExecuteSqlAsync($@"INSERT INTO wallets (account_id, address, network, linked_at)
            VALUES ('acc1', {BridgeFactory.DefaultWallet}, 'MAINNET', {ms}), ('acc2', {signedUp}, 'MAINNET', {ms})");
        await db.Database.ExecuteSqlAsync($@"INSERT INTO audit_events (""time"", type, actor, account_id, success)
            VALUES ({ms}, 'account.created', 'admin-1', 'acc1', TRUE), ({ms}, 'account.created', 'system', 'acc2', TRUE),
                   ({ms}, 'wallet.linked', 'acc2', 'acc2', TRUE),
                   ({ms}, 'account.created', 'system', 'acc3', TRUE), ({ms}, 'wallet.linked', 'admin-1', 'acc3', TRUE)");
        await db.Database.ExecuteSqlAsync($@"INSERT INTO clients (client_id, client_name, enabled, client_type, redirect_uris,
                post_logout_redirect_uris, allowed_scopes, allowed_grant_types, token_endpoint_auth_method, require_pkce, require_consent,
                access_token_lifetime_seconds, id_token_lifetime_seconds, refresh_token_sliding_lifetime_seconds,
                refresh_token_absolute_lifetime_seconds, id_token_signing_alg, subject_type, created_at, updated_at)
            VALUES ('c1', 'C1', TRUE, 'confidential', '[]', '[]', 'openid', 'authorization_code', 'client_secret_basic', TRUE, FALSE,
                    900, 300, 1209600, 2592000, 'RS256', 'public', {ms}, {ms})");
        await db.Database.ExecuteSqlAsync($@"INSERT INTO client_secrets (client_id, hash, created_at) VALUES ('c1', 'sha256:x', {ms})");

        await migrator.MigrateAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        await using var fresh = Context(Current, db.Database.GetConnectionString()!);
        var account = await fresh.Accounts.Include(a => a.Wallets).SingleAsync(a => a.Id == "acc1");
        Assert.Equal("Ada", account.DisplayName);
        // Version 3: the account a sign-in created is not enrolled; the administrator's is, and so is the
        // one an administrator linked a wallet to.
        Assert.True(account.Enrolled);
        Assert.False((await fresh.Accounts.SingleAsync(a => a.Id == "acc2")).Enrolled);
        Assert.True((await fresh.Accounts.SingleAsync(a => a.Id == "acc3")).Enrolled);
        Assert.Equal(BridgeFactory.DefaultWallet, account.Wallets.Single().Address);
        Assert.Equal(now.ToUnixTimeMilliseconds(), account.CreatedAt.ToUnixTimeMilliseconds());
        var client = await fresh.Clients.Include(c => c.Secrets).SingleAsync();
        Assert.Equal("C1", client.ClientName);
        // Version 5: a stored client starts at version 0, and an edit (here of a secret only) raises it.
        Assert.Equal(0, client.Version);
        client.Secrets.Single().ExpiresAt = now;
        await fresh.SaveChangesAsync();
        fresh.ChangeTracker.Clear();
        Assert.Equal(1, (await fresh.Clients.AsNoTracking().SingleAsync()).Version);
        // Version 6: a stored account starts at version 0 too, and a change of one of its roles alone raises it.
        Assert.Equal(0L, await fresh.Accounts.Where(a => a.Id == "acc1").Select(a => EF.Property<long>(a, "Version")).SingleAsync());
        fresh.AccountRoles.Add(new AccountRole { AccountId = "acc1", Role = "auditor" });
        await fresh.SaveChangesAsync();
        fresh.ChangeTracker.Clear();
        Assert.Equal(1L, await fresh.Accounts.Where(a => a.Id == "acc1").Select(a => EF.Property<long>(a, "Version")).SingleAsync());
        // The version 2 tables exist and work.
        fresh.SignInRequests.Add(new SignInRequest { Id = "s1", Kind = "qr", CreatedAt = now, ExpiresAt = now.AddMinutes(5) });
        await fresh.SaveChangesAsync();
    }

    private static string SqliteFile() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), "identitybridge-tests", Guid.NewGuid().ToString("N") + ".db")}";

    private static string CreatePostgresDatabase(string admin)
    {
        var name = "schema_" + Guid.NewGuid().ToString("N")[..12];
        using var connection = new Npgsql.NpgsqlConnection(admin);
        connection.Open();
        using (var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection)) command.ExecuteNonQuery();
        return new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private static SortedSet<string> Flatten(Dictionary<string, Dictionary<string, bool>> schema) =>
        new(schema.Where(t => t.Key != "schema_migrations" && !t.Key.StartsWith("__EF", StringComparison.Ordinal))
            .SelectMany(t => t.Value.Select(c => $"{t.Key}.{c.Key} {(c.Value ? "NULL" : "NOT NULL")}")), StringComparer.Ordinal);

    /// <summary>table → column → nullable, read from the database's catalog.</summary>
    private static async Task<Dictionary<string, Dictionary<string, bool>>> ReadSchemaAsync(BridgeDbContext db)
    {
        var result = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            if (db.Database.IsNpgsql())
            {
                await foreach (var (table, column, nullable) in Query(connection,
                    "SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public'"))
                    Add(result, table, column, nullable);
            }
            else
            {
                var tables = new List<string>();
                await using (var cmd = connection.CreateCommand())
                {
                    cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
                    await using var reader = await cmd.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
                }
                foreach (var table in tables)
                    await foreach (var (_, column, nullable) in Query(connection, $"SELECT '{table}', name, \"notnull\" = 0 AND pk = 0 FROM pragma_table_info('{table}')"))
                        Add(result, table, column, nullable);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return result;
    }

    private static void Add(Dictionary<string, Dictionary<string, bool>> result, string table, string column, bool nullable)
    {
        if (!result.TryGetValue(table, out var columns)) result[table] = columns = new(StringComparer.Ordinal);
        columns[column] = nullable;
    }

    private static async IAsyncEnumerable<(string, string, bool)> Query(DbConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            yield return (reader.GetString(0), reader.GetString(1), Convert.ToBoolean(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));
    }
}
