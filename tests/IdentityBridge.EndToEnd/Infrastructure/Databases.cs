using Npgsql;

namespace IdentityBridge.EndToEnd.Infrastructure;

/// <summary>Fresh databases for real processes: a SQLite file, or a PostgreSQL database on the suite's server.</summary>
public static class Databases
{
    public static IEnumerable<object[]> Both => [["Sqlite"], ["Postgres"]];

    /// <summary>Environment variables that point a bridge process at a new, empty database.</summary>
    public static Dictionary<string, string?> NewDatabase(string provider)
    {
        if (provider == "Sqlite")
        {
            var folder = Path.Combine(Path.GetTempPath(), "identitybridge-e2e");
            Directory.CreateDirectory(folder);
            return new()
            {
                ["Bridge__Database__Provider"] = "Sqlite",
                ["Bridge__Database__ConnectionString"] = $"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db")}",
            };
        }
        var admin = Environment.GetEnvironmentVariable("BRIDGE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("BRIDGE_TEST_POSTGRES is not set: run the suite with ./test.sh, which starts PostgreSQL.");
        var name = "e2e_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        return new()
        {
            ["Bridge__Database__Provider"] = "Postgres",
            ["Bridge__Database__ConnectionString"] = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString,
        };
    }
}
