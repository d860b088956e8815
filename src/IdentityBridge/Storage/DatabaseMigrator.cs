using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace IdentityBridge.Storage;

/// <summary>Applies the versioned migrations (at startup and from the <c>migrate</c> command).</summary>
public sealed class DatabaseMigrator(IDbContextFactory<BridgeDbContext> factory, DatabaseConnection connection, ILogger<DatabaseMigrator> logger)
{
    /// <summary>The first migration: pending only on a database without the schema.</summary>
    public const string InitialMigration = "20261121000001_InitialSchema";

    /// <summary>Brings the schema to <paramref name="targetMigration"/> (the latest when null).</summary>
    /// <param name="beforeApplying">Called with the pending migrations, before they run, when there are some.</param>
    public async Task<IReadOnlyList<string>> MigrateAsync(string? targetMigration = null, CancellationToken ct = default,
        Action<IReadOnlyList<string>>? beforeApplying = null)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (connection.Provider == Configuration.DatabaseProvider.Sqlite)
        {
            // WAL lets readers and the writer work side by side; set once, it sticks to the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        else
        {
            await CreateHistoryTableIfMissingAsync(db, ct);
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        // An up-to-date schema (every restart) needs no migrator run, nor the lock it takes.
        if (pending.Count == 0 && targetMigration is null) return pending;
        if (connection.Provider == Configuration.DatabaseProvider.Postgres && targetMigration is null
            && await ApplyInOneTransactionAsync(db, beforeApplying, ct) is { } applied)
        {
            return applied;
        }
        if (pending.Count > 0)
        {
            Applying(pending, beforeApplying);
        }
        await db.GetService<IMigrator>().MigrateAsync(targetMigration, ct);
        return pending;
    }

    private void Applying(List<string> pending, Action<IReadOnlyList<string>>? beforeApplying)
    {
        logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        beforeApplying?.Invoke(pending);
    }

    /// <summary>
    /// Brings a PostgreSQL schema to the latest version in one transaction and one round trip: the history
    /// table is locked, the migrations not in it are read again under the lock (another node may have applied
    /// them meanwhile), and their script runs as one command. A first start or an upgrade thus either reaches
    /// the latest version or changes nothing, and nodes starting together apply each migration once (EF
    /// Core's migrator commits migration by migration, and two nodes running it on one empty database were
    /// seen to collide on an index). Null when the pending migrations cannot go as one script: one that
    /// must run outside a transaction, or a gap before the last applied one; EF Core's migrator runs them then.
    /// <paramref name="beforeApplying"/> hears the migrations this node applies, read under the lock: a node
    /// that finds the schema made by another is not told it made it.
    /// </summary>
    private async Task<IReadOnlyList<string>?> ApplyInOneTransactionAsync(BridgeDbContext db, Action<IReadOnlyList<string>>? beforeApplying, CancellationToken ct)
    {
        var assembly = db.GetService<IMigrationsAssembly>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync(LockHistory, ct);
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var all = assembly.Migrations.Keys.Order(StringComparer.Ordinal).ToList();
            var pending = all.Where(id => !applied.Contains(id)).ToList();
            if (pending.Count == 0) return pending;
            var firstPending = all.IndexOf(pending[0]);
            if (all.Skip(firstPending).Any(applied.Contains) || pending.Any(id => SuppressesTransaction(assembly, id, db.Database.ProviderName!)))
            {
                return null;
            }
            Applying(pending, beforeApplying);
            var script = db.GetService<IMigrator>().GenerateScript(
                firstPending == 0 ? null : all[firstPending - 1], null, MigrationsSqlGenerationOptions.NoTransactions);
            await db.Database.ExecuteSqlRawAsync(script, ct);
            await transaction.CommitAsync(ct);
            return pending;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private const string LockHistory = $"LOCK TABLE {StorageServiceCollectionExtensions.MigrationsHistoryTable} IN ACCESS EXCLUSIVE MODE";

    private static bool SuppressesTransaction(IMigrationsAssembly assembly, string id, string provider) =>
        assembly.CreateMigration(assembly.Migrations[id], provider).UpOperations.OfType<SqlOperation>().Any(o => o.SuppressTransaction);

    /// <summary>
    /// EF Core's PostgreSQL provider reads the migration history without first checking that its table
    /// exists, and the failed read is logged as an error on every first start. The table is created first
    /// instead, with EF Core's own statement, when the database does not have it.
    /// </summary>
    private static async Task CreateHistoryTableIfMissingAsync(BridgeDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using (var command = db.Database.GetDbConnection().CreateCommand())
            {
                command.CommandText = $"SELECT to_regclass('{StorageServiceCollectionExtensions.MigrationsHistoryTable}') IS NOT NULL";
                if (await command.ExecuteScalarAsync(ct) is true) return;
            }
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable
                                                       or Npgsql.PostgresErrorCodes.DuplicateObject)
        {
            // Another node created it at the same moment (the table's row type may be the first to collide).
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<IReadOnlyList<string>> AppliedAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return [.. await db.Database.GetAppliedMigrationsAsync(ct)];
    }
}
