using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Group commit of refresh token rotations on PostgreSQL. A rotation consumes one refresh token and stores its
/// successor; done one by one, each is a statement and a commit of its own, and for PostgreSQL the commit and the
/// statement's round trip cost more than the two rows. Rotations that arrive while a batch is at the database
/// wait for it and then go together as the next batch: one statement, one commit, however many they are. A
/// rotation that finds nothing in flight goes at once, so a quiet node sends what it sent before; a busy one
/// sends fewer, larger statements (what that gives and costs is measured in <c>bench/README.md</c>).
/// </summary>
/// <remarks>
/// Every rotation keeps its own outcome: the statement consumes a token only if it is unused, unrevoked,
/// unexpired and of the rotation's client, as the statement of a single rotation did, and stores a successor only
/// for a token it consumed. Of rotations in one batch with the same token and client, one wins and the others
/// lose the race: PostgreSQL updates a row once however many rows of the input it joins. The rows are visited in the order of their keys, so batches of several nodes take their row locks in one
/// order. If a batch's statement fails, its rotations are sent again one by one, so a failure (a deadlock with
/// other work, a value the database refuses) is only that of the rotation that causes it.
/// Authorization codes are redeemed by a statement of their own (<see cref="GrantStore.RotateRefreshTokenAsync"/>):
/// a login already makes several round trips, and measured, batching its last one only made logins slower.
/// </remarks>
public sealed class RotationBatcher(IDbContextFactory<BridgeDbContext> factory, TimeProvider time, ILogger<RotationBatcher> logger)
{
    /// <summary>The most rotations in one statement.</summary>
    public const int MaxBatch = 64;

    private readonly Lock _gate = new();
    private readonly Queue<Rotation> _pending = new();
    private bool _sending;
    private long _statements;

    /// <summary>One rotation: the refresh token to consume and its successor to store.</summary>
    public sealed record Rotation(string ConsumedKey, string ClientId, string Key, string AccountId, string? SessionId, string FamilyId,
        long ExpiresAt, string Data)
    {
        internal TaskCompletionSource<bool> Outcome { get; } = new();

        internal void Complete(HashSet<string>? stored, Exception? failure)
        {
            if (failure is not null) Outcome.TrySetException(failure);
            else Outcome.TrySetResult(stored!.Contains(Key));
        }
    }

    /// <summary>How many statements the batcher has sent (batches, and rotations sent again alone).</summary>
    public long Statements => Interlocked.Read(ref _statements);

    /// <summary>
    /// True when this rotation consumed its token and stored the successor (both committed), false when the token
    /// was used, revoked, expired, not the client's, or another rotation of it won.
    /// </summary>
    public Task<bool> RotateAsync(Rotation rotation, CancellationToken ct = default)
    {
        bool send;
        lock (_gate)
        {
            _pending.Enqueue(rotation);
            send = !_sending;
            _sending = true;
        }
        // Nothing in flight: this caller sends the batch (its own rotation) itself, without a hand-over.
        if (send) _ = SendAsync();
        return rotation.Outcome.Task.WaitAsync(ct);
    }

    /// <summary>Sends batches until none is waiting; one is in flight at a time.</summary>
    private async Task SendAsync()
    {
        var batch = new List<Rotation>(MaxBatch);
        while (true)
        {
            lock (_gate)
            {
                while (batch.Count < MaxBatch && _pending.TryDequeue(out var next)) batch.Add(next);
                if (batch.Count == 0)
                {
                    _sending = false;
                    return;
                }
            }
            HashSet<string>? stored = null;
            Exception? failure = null;
            try
            {
                stored = await ExecuteAsync(batch);
            }
            catch (Exception e) when (batch.Count > 1)
            {
                // One transaction: nothing of the batch was committed. Each goes again on its own.
                logger.LogWarning(e, "A batch of {Count} refresh token rotations failed; sending them one by one", batch.Count);
                foreach (var rotation in batch) await SendAloneAsync(rotation);
                batch.Clear();
                continue;
            }
            catch (Exception e)
            {
                failure = e;
            }
            // Every caller but the last goes on on the thread pool; the last goes on here, as it would have after
            // a statement of its own, so a batch of one costs no extra hand-over.
            for (var i = 0; i < batch.Count - 1; i++)
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Rotation.Complete(s.Stored, s.Failure),
                    (Rotation: batch[i], Stored: stored, Failure: failure), preferLocal: false);
            batch[^1].Complete(stored, failure);
            batch.Clear();
        }
    }

    private async Task SendAloneAsync(Rotation rotation)
    {
        try
        {
            rotation.Complete(await ExecuteAsync([rotation]), null);
        }
        catch (Exception e)
        {
            rotation.Complete(null, e);
        }
    }

    private async Task<HashSet<string>> ExecuteAsync(List<Rotation> batch)
    {
        // In the order of their keys, so that concurrent batches lock rows in one order.
        var sent = batch.OrderBy(r => r.ConsumedKey, StringComparer.Ordinal).ToList();

        var consumedKeys = sent.Select(r => r.ConsumedKey).ToArray();
        var clientIds = sent.Select(r => r.ClientId).ToArray();
        var keys = sent.Select(r => r.Key).ToArray();
        var accountIds = sent.Select(r => r.AccountId).ToArray();
        var sessionIds = sent.Select(r => r.SessionId).ToArray();
        var familyIds = sent.Select(r => r.FamilyId).ToArray();
        var expiresAt = sent.Select(r => r.ExpiresAt).ToArray();
        var data = sent.Select(r => r.Data).ToArray();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        const string type = GrantTypes.RefreshToken;
        const string marker = GrantTypes.FamilyRevocation;

        Interlocked.Increment(ref _statements);
        await using var db = await factory.CreateDbContextAsync();
        // The INSERT reads the UPDATE's result, so a successor is stored only where its token was consumed here. A
        // successor of a family revoked meanwhile is stored revoked, as GrantStore stores every member after the marker.
        var stored = await db.Database.SqlQuery<string>($"""
            WITH input AS (
                SELECT * FROM unnest({consumedKeys}, {clientIds}, {keys}, {accountIds}, {sessionIds}, {familyIds}, {expiresAt}, {data})
                    WITH ORDINALITY AS i(consumed_key, client_id, "key", account_id, session_id, family_id, expires_at, data, n)),
            consumed AS (
                UPDATE grants g SET consumed_at = {now} FROM input i
                WHERE g."key" = i.consumed_key AND g.type = {type} AND g.client_id = i.client_id
                  AND g.expires_at > {now} AND g.consumed_at IS NULL AND g.revoked_at IS NULL
                RETURNING i.n)
            INSERT INTO grants ("key", type, client_id, account_id, session_id, family_id, created_at, expires_at, data, revoked_at)
            SELECT i."key", {type}, i.client_id, i.account_id, i.session_id, i.family_id, {now}, i.expires_at, i.data,
                   CASE WHEN EXISTS (SELECT 1 FROM grants m WHERE m.family_id = i.family_id AND m.type = {marker}) THEN {now} END
            FROM consumed c JOIN input i ON i.n = c.n
            RETURNING "key" AS "Value"
            """).ToListAsync();
        return stored.ToHashSet(StringComparer.Ordinal);
    }
}
