using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

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
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            beforeApplying?.Invoke(pending);
        }
        await db.GetService<IMigrator>().MigrateAsync(targetMigration, ct);
        return pending;
    }

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
        catch (Npgsql.PostgresException ex) when (ex.SqlState is Npgsql.PostgresErrorCodes.UniqueViolation or Npgsql.PostgresErrorCodes.DuplicateTable)
        {
            // Another node created it at the same moment.
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
