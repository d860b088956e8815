using Microsoft.Data.Sqlite;
using Npgsql;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// The database the suite runs on, chosen by <c>BRIDGE_TEST_DB</c> (Sqlite, the default, or Postgres with
/// <c>BRIDGE_TEST_POSTGRES</c> holding a connection string to a server where databases may be created).
/// Each test host gets a database of its own.
/// </summary>
public static class TestDatabase
{
    public static string Provider { get; } =
        string.Equals(Environment.GetEnvironmentVariable("BRIDGE_TEST_DB"), "Postgres", StringComparison.OrdinalIgnoreCase) ? "Postgres" : "Sqlite";

    public static bool IsPostgres => Provider == "Postgres";

    /// <summary>A connection string to a new, empty database.</summary>
    public static string CreateDatabase()
    {
        if (!IsPostgres)
        {
            var folder = Path.Combine(Path.GetTempPath(), "identitybridge-tests");
            Directory.CreateDirectory(folder);
            return $"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db")};Pooling=True";
        }
        var admin = Environment.GetEnvironmentVariable("BRIDGE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("BRIDGE_TEST_DB=Postgres needs BRIDGE_TEST_POSTGRES (a connection string); ./test.sh sets both.");
        var name = "bridge_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Removes a SQLite database made by <see cref="CreateDatabase"/> once no host uses it (the suite would
    /// otherwise leave a few hundred files behind per run). PostgreSQL databases go with the throwaway
    /// cluster the suite runs on.
    /// </summary>
    public static void DropDatabase(string connectionString)
    {
        if (IsPostgres) return;
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        using (var connection = new SqliteConnection(connectionString)) SqliteConnection.ClearPool(connection);
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Still open somewhere: the temporary folder's own clean-up will get it.
            }
        }
    }
}
