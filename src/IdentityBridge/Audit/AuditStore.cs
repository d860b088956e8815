using System.Data.Common;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace IdentityBridge.Audit;

/// <summary>
/// Appends batches of audit events to <c>audit_events</c> with one hand-written statement on a connection of its own,
/// without Entity Framework. The writer only ever inserts, and through a context each batch paid for what it never
/// used: a context built for it (at each first use, some fifty services resolved by reflection), change tracking of
/// every row, and the update pipeline. At a login every few milliseconds, where each event makes a batch of its own,
/// that was about a seventh of the bridge's CPU under the login load. Nothing here outlives a batch: the statement
/// and its parameters are made for it and released with it.
/// </summary>
/// <remarks>
/// PostgreSQL: one <c>INSERT … SELECT FROM unnest(…)</c> with one array per column, so the text of the statement is
/// the same for a batch of one or of five hundred, and Npgsql prepares it once. It is a single statement, atomic
/// without an explicit transaction. SQLite: one prepared single-row insert executed per event inside one
/// transaction, the usual way to append many rows to SQLite (there is no network round trip to save).
/// </remarks>
public sealed class AuditStore : IAsyncDisposable
{
    private const string Columns = "time, type, actor, account_id, client_id, success, reason, remote_ip, request_id, details";

    private const string PostgresInsert =
        "INSERT INTO audit_events (" + Columns + ") SELECT * FROM unnest(" +
        "@time::bigint[], @type::text[], @actor::text[], @account_id::text[], @client_id::text[], @success::boolean[], " +
        "@reason::text[], @remote_ip::text[], @request_id::text[], @details::text[])";

    private const string SqliteInsert =
        "INSERT INTO \"audit_events\" (" + Columns + ") VALUES " +
        "($time, $type, $actor, $account_id, $client_id, $success, $reason, $remote_ip, $request_id, $details)";

    private readonly DatabaseConnection _connection;
    private readonly Lazy<NpgsqlDataSource>? _postgres;

    public AuditStore(DatabaseConnection connection)
    {
        _connection = connection;
        if (connection.Provider == DatabaseProvider.Postgres)
            _postgres = new Lazy<NpgsqlDataSource>(() =>
            {
                // Without multiplexing: the writer holds its connection for the statement, one batch at a time.
                var builder = new NpgsqlDataSourceBuilder(connection.DirectConnectionString);
                StorageServiceCollectionExtensions.BuiltInTypesOnly(builder);
                return builder.Build();
            });
    }

    /// <summary>Stores the events in one statement (PostgreSQL) or one transaction (SQLite): all of them, or none.</summary>
    public Task StoreAsync(IReadOnlyList<AuditEvent> batch, CancellationToken ct = default)
    {
        if (batch.Count == 0) return Task.CompletedTask;
        return _postgres is not null ? StorePostgresAsync(_postgres.Value, batch, ct) : StoreSqliteAsync(batch, ct);
    }

    private static async Task StorePostgresAsync(NpgsqlDataSource source, IReadOnlyList<AuditEvent> batch, CancellationToken ct)
    {
        var n = batch.Count;
        var time = new long[n];
        var success = new bool[n];
        var type = new string[n];
        var actor = new string[n];
        var accountId = new string?[n];
        var clientId = new string?[n];
        var reason = new string?[n];
        var remoteIp = new string?[n];
        var requestId = new string?[n];
        var details = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var e = batch[i];
            time[i] = e.Time.ToUnixTimeMilliseconds();
            type[i] = e.Type;
            actor[i] = e.Actor;
            accountId[i] = e.AccountId;
            clientId[i] = e.ClientId;
            success[i] = e.Success;
            reason[i] = e.Reason;
            remoteIp[i] = e.RemoteIp;
            requestId[i] = e.RequestId;
            details[i] = e.Details;
        }

        await using var command = source.CreateCommand(PostgresInsert);
        command.Parameters.Add(new NpgsqlParameter<long[]>("time", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = time });
        command.Parameters.Add(Texts("type", type));
        command.Parameters.Add(Texts("actor", actor));
        command.Parameters.Add(Texts("account_id", accountId));
        command.Parameters.Add(Texts("client_id", clientId));
        command.Parameters.Add(new NpgsqlParameter<bool[]>("success", NpgsqlDbType.Array | NpgsqlDbType.Boolean) { TypedValue = success });
        command.Parameters.Add(Texts("reason", reason));
        command.Parameters.Add(Texts("remote_ip", remoteIp));
        command.Parameters.Add(Texts("request_id", requestId));
        command.Parameters.Add(Texts("details", details));
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter<string?[]> Texts(string name, string?[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values };

    private async Task StoreSqliteAsync(IReadOnlyList<AuditEvent> batch, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(_connection.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var settings = connection.CreateCommand())
        {
            settings.CommandText = SqliteConnectionSettings.Pragmas;
            await settings.ExecuteNonQueryAsync(ct);
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteInsert;
        var time = command.Parameters.Add("$time", SqliteType.Integer);
        var type = command.Parameters.Add("$type", SqliteType.Text);
        var actor = command.Parameters.Add("$actor", SqliteType.Text);
        var accountId = command.Parameters.Add("$account_id", SqliteType.Text);
        var clientId = command.Parameters.Add("$client_id", SqliteType.Text);
        var success = command.Parameters.Add("$success", SqliteType.Integer);
        var reason = command.Parameters.Add("$reason", SqliteType.Text);
        var remoteIp = command.Parameters.Add("$remote_ip", SqliteType.Text);
        var requestId = command.Parameters.Add("$request_id", SqliteType.Text);
        var details = command.Parameters.Add("$details", SqliteType.Text);
        foreach (var e in batch)
        {
            time.Value = e.Time.ToUnixTimeMilliseconds();
            type.Value = e.Type;
            actor.Value = e.Actor;
            accountId.Value = OrNull(e.AccountId);
            clientId.Value = OrNull(e.ClientId);
            success.Value = e.Success ? 1 : 0;
            reason.Value = OrNull(e.Reason);
            remoteIp.Value = OrNull(e.RemoteIp);
            requestId.Value = OrNull(e.RequestId);
            details.Value = OrNull(e.Details);
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    private static object OrNull(string? value) => value is null ? DBNull.Value : value;

    public async ValueTask DisposeAsync()
    {
        if (_postgres is { IsValueCreated: true }) await _postgres.Value.DisposeAsync();
    }

    /// <summary>Whether a failure to store is one the writer logs and survives (the database, not a bug).</summary>
    internal static bool IsStorageFailure(Exception ex) => ex is DbException or InvalidOperationException or TimeoutException;
}
