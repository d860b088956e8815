using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace IdentityBridge.Storage;

/// <summary>Tells the database failures a caller can answer for (a unique key taken) from every other one.</summary>
public static class DatabaseErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>
    /// True when <paramref name="ex"/> is a unique (or primary) key violation on <paramref name="table"/>,
    /// on SQLite or PostgreSQL. A lock, a lost connection or a full disk is not: those are server errors.
    /// </summary>
    public static bool IsUniqueViolation(DbUpdateException ex, string table) => ex.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation && string.Equals(pg.TableName, table, StringComparison.Ordinal),
        // SQLite names the columns of the violated constraint in its message: "UNIQUE constraint failed: wallets.address".
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
            && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey
            && sqlite.Message.Contains($" {table}.", StringComparison.Ordinal),
        _ => false,
    };
}
