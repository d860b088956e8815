using System.Text.Json.Serialization;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Notifications;

/// <summary>
/// What a pending notification's row keeps (in <c>grants.data</c>): its kind, the number and backoff of the attempt
/// that comes next, and the kind's own fields: references from which the attempt is made afresh, never a signed
/// token or a secret in the clear.
/// </summary>
public sealed record PendingNotificationData(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("delay_ms")] long DelayMilliseconds,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, string> Fields)
{
    [JsonIgnore]
    public NotificationAttempt Next => new(Attempt, TimeSpan.FromMilliseconds(DelayMilliseconds));
}

/// <summary>A pending notification claimed by this node: its row, what it holds, and the lease that marks it taken.</summary>
public sealed record ClaimedNotification(string Key, string ClientId, DateTimeOffset ExpiresAt, DateTimeOffset Lease, PendingNotificationData Data);

/// <summary>
/// A kind of notification whose retries wait in <see cref="ClientNotificationOutbox"/> (back-channel logout, CIBA ping):
/// it makes an attempt afresh from the fields it stored, and records the final outcome (log, audit).
/// </summary>
public interface IPendingNotificationKind
{
    /// <summary>The kind's name in <see cref="PendingNotificationData.Kind"/>.</summary>
    string Kind { get; }

    /// <summary>Makes <paramref name="attempt"/>; null when there is nothing to send any more (the client was deleted or no longer takes it).</summary>
    Task<NotificationOutcome?> RetryAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationAttempt attempt, CancellationToken ct);

    /// <summary>Records a final outcome, delivered or not.</summary>
    Task ReportAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationOutcome outcome, CancellationToken ct);
}

/// <summary>
/// The retries of client notifications, as rows of the <c>grants</c> table (<see cref="GrantTypes.ClientNotification"/>),
/// so that a retry outlives the node that scheduled it and any node sharing the database makes it. A row's
/// <c>consumed_at</c> is when its next attempt is due and <c>expires_at</c> ends its delivery (<see cref="DeliveryWindow"/>
/// after the first attempt); every row has the same <c>family_id</c> (<see cref="Queue"/>), so the index on family and
/// type finds the pending ones without reading the other grants. A node takes a due row by moving its due time forward
/// by <see cref="ClaimLease"/> in one conditional UPDATE: of nodes racing for it only one changes it, and a node that
/// stops while it holds a row leaves it due again when the lease ends.
/// </summary>
public sealed class ClientNotificationOutbox(IDbContextFactory<BridgeDbContext> factory, TimeProvider time)
{
    /// <summary>
    /// How long after the first attempt a notification is still tried. The retries themselves end much sooner
    /// (<c>Bridge:Notifications:Retries</c> at most 10, waits of a minute at most); this bounds a row that a stopped
    /// bridge left behind.
    /// </summary>
    public static readonly TimeSpan DeliveryWindow = TimeSpan.FromHours(1);

    /// <summary>How long a claimed row is left to the node sending it: well beyond the longest attempt (10 s).</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(1);

    /// <summary>The <c>family_id</c> of every pending notification (random family ids never take this form).</summary>
    public const string Queue = "client_notifications";

    private readonly Lock _gate = new();
    private TaskCompletionSource _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when this node schedules a retry, so that its delivery loop looks at the new due time.</summary>
    public Task Scheduled
    {
        get { lock (_gate) return _scheduled.Task; }
    }

    /// <summary>Stores a retry of a notification whose attempt failed just now, due after <paramref name="retry"/>'s wait.</summary>
    public async Task ScheduleAsync(string kind, string clientId, IReadOnlyDictionary<string, string> fields, NotificationRetry retry, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            db.Grants.Add(new Grant
            {
                Key = TokenHashes.Key("notification:" + TokenHashes.NewHandle()),
                Type = GrantTypes.ClientNotification,
                ClientId = clientId,
                FamilyId = Queue,
                CreatedAt = now,
                ExpiresAt = now + DeliveryWindow,
                ConsumedAt = now + retry.Wait,
                Data = GrantJson.Write(new PendingNotificationData(kind, retry.Next.Number, (long)retry.Next.Delay.TotalMilliseconds, fields)),
            });
            await db.SaveChangesAsync(ct);
        }
        TaskCompletionSource scheduled;
        lock (_gate)
        {
            scheduled = _scheduled;
            _scheduled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        scheduled.SetResult();
    }

    /// <summary>The keys and due times of up to <paramref name="limit"/> rows due now, the longest due first.</summary>
    public async Task<List<(string Key, DateTimeOffset Due)>> DueAsync(int limit, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var due = await db.Grants.AsNoTracking()
            .Where(g => g.FamilyId == Queue && g.Type == GrantTypes.ClientNotification && g.ConsumedAt <= now)
            .OrderBy(g => g.ConsumedAt).Take(limit)
            .Select(g => new { g.Key, g.ConsumedAt })
            .ToListAsync(ct);
        return [.. due.Select(g => (g.Key, g.ConsumedAt!.Value))];
    }

    /// <summary>When the next pending row is due (it may be now or past); null when none is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Grants.AsNoTracking()
            .Where(g => g.FamilyId == Queue && g.Type == GrantTypes.ClientNotification)
            .OrderBy(g => g.ConsumedAt).Select(g => g.ConsumedAt)
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Takes the row of <paramref name="key"/> if it is still due at <paramref name="due"/>: one conditional UPDATE moves
    /// its due time to the end of a lease. Null when another node took it first (or it is gone).
    /// </summary>
    public async Task<ClaimedNotification?> TryClaimAsync(string key, DateTimeOffset due, CancellationToken ct)
    {
        var lease = time.GetUtcNow() + ClaimLease;
        await using var db = await factory.CreateDbContextAsync(ct);
        var taken = await db.Grants
            .Where(g => g.Key == key && g.Type == GrantTypes.ClientNotification && g.ConsumedAt == due)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.ConsumedAt, lease), ct);
        if (taken != 1) return null;
        var row = await db.Grants.AsNoTracking().FirstOrDefaultAsync(g => g.Key == key, ct);
        var data = row is null ? null : GrantJson.Read<PendingNotificationData>(row.Data);
        if (row is null || data?.Fields is null || data.Kind is null)
        {
            if (row is not null) await db.Grants.Where(g => g.Key == key && g.ConsumedAt == lease).ExecuteDeleteAsync(ct);
            return null;
        }
        return new(key, row.ClientId, row.ExpiresAt, lease, data);
    }

    /// <summary>Makes a claimed row due again after <paramref name="retry"/>'s wait. False when the lease was lost meanwhile.</summary>
    public async Task<bool> RescheduleAsync(ClaimedNotification claimed, NotificationRetry retry, CancellationToken ct)
    {
        var due = time.GetUtcNow() + retry.Wait;
        var data = GrantJson.Write(claimed.Data with { Attempt = retry.Next.Number, DelayMilliseconds = (long)retry.Next.Delay.TotalMilliseconds });
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Grants
            .Where(g => g.Key == claimed.Key && g.ConsumedAt == claimed.Lease)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.ConsumedAt, due).SetProperty(g => g.Data, data), ct) == 1;
    }

    /// <summary>Deletes a claimed row (delivered, or failed for good). False when the lease was lost meanwhile: another node has it.</summary>
    public async Task<bool> TryCompleteAsync(ClaimedNotification claimed, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Grants.Where(g => g.Key == claimed.Key && g.ConsumedAt == claimed.Lease).ExecuteDeleteAsync(ct) == 1;
    }
}
