using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Maintenance;

/// <summary>
/// Deletes the rows that no longer have any use, each a grace period after the last moment anything could still
/// read it, so that the database of a bridge run for years holds what is live plus a bounded tail. Every delete is
/// one set-based statement over at most <see cref="BatchSize"/> rows, repeated until nothing is left to delete:
/// no statement holds its locks for long, and every node may run it at once (a row another node deleted first is
/// simply not deleted again). Not purged here: audit events (<c>Bridge:Audit:RetentionDays</c>), the data
/// protection key ring (old keys still decrypt old payloads), consents (one per account and client, deleted with
/// either), client secrets (a few per rotation) and accounts.
/// </summary>
public sealed class DatabaseRetention(IDbContextFactory<BridgeDbContext> factory, TimeProvider time, ILogger<DatabaseRetention> logger)
{
    /// <summary>Rows deleted by one statement.</summary>
    public const int BatchSize = 1000;

    /// <summary>
    /// Grants (codes, refresh tokens, markers) a day after they expired: by then a replayed handle fails as unknown
    /// just as it would as expired, and no access token of a revoked family is still valid.
    /// </summary>
    public static readonly TimeSpan GrantGrace = TimeSpan.FromDays(1);

    /// <summary>
    /// Sessions 30 days after they expired (an ended session also expires, at most <c>Bridge:Session:Lifetime</c>
    /// after it ended), and only once no grant refers to them: an offline refresh token outlives its session, and
    /// while one exists an administrator revoking the session ends it. Until then the admin console lists the
    /// session among the account's ended ones. Nothing else reads an expired session once it has ended: it is never
    /// live again, and a back-channel logout carries its client list with it. One that expired and has not ended yet
    /// is kept until <see cref="Sessions.SessionExpiry"/> has ended it and told its clients (a bridge that was stopped
    /// for longer than this grace).
    /// </summary>
    public static readonly TimeSpan SessionGrace = TimeSpan.FromDays(30);

    /// <summary>
    /// Sign-in requests (QR, push, CIBA) a day after they expired. Each is used, at the latest, within
    /// <c>SignInCookies.BindingGrace</c> of its expiry (browser) or before it (a CIBA <c>auth_req_id</c> yields
    /// tokens only until <c>expires_in</c>), and Xumm's webhook retries end about 20 minutes after the payload
    /// resolved (payloads live an hour at most); for the rest of the day a CIBA client polling late still gets
    /// <c>expired_token</c> rather than an unknown id.
    /// </summary>
    public static readonly TimeSpan SignInRequestGrace = TimeSpan.FromDays(1);

    /// <summary>
    /// Webhook deliveries a day after they arrived, processed or not. A delivery row is what makes a repeat of it a
    /// no-op; Xumm repeats one for about 20 minutes (after 10 s, 60 s and twice 10 min), a stale signed delivery is
    /// refused after <c>Xumm:Payload:WebhookTimestampWindow</c> (15 minutes at most), and an unprocessed claim is
    /// taken over after <c>WebhookEndpoint.ClaimTimeout</c>. A day is far beyond all of them.
    /// </summary>
    public static readonly TimeSpan WebhookDeliveryGrace = TimeSpan.FromDays(1);

    /// <summary>
    /// Xumm user tokens a week after they expired, revoked or not: an expired token is never used again, and a
    /// signature made with the same token stores it anew. The week lets the user token sweep
    /// (<c>Xumm:Payload:UserTokenCheckInterval</c>, 12 hours by default) drop and audit it first. A revoked token
    /// stays until it would have expired, which <c>Xumm:Payload:UserTokenLifetime</c> bounds.
    /// </summary>
    public static readonly TimeSpan UserTokenGrace = TimeSpan.FromDays(7);

    /// <summary>
    /// Generated signing keys 30 days after they left the JWKS (retired and past <c>Bridge:Keys:RetentionTime</c>,
    /// revoked, or withdrawn): nothing validates with them any more, and the encrypted private key is best not
    /// kept. The admin console lists them as expired or revoked until then. Imported keys stay: their row is what
    /// keeps the PEM file, if it is still in <c>Bridge:Keys:ImportPath</c>, from being imported again and signing.
    /// </summary>
    public static readonly TimeSpan SigningKeyGrace = TimeSpan.FromDays(30);

    /// <summary>Runs every purge; one that fails is logged and the others still run. Returns the rows deleted.</summary>
    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var total = 0;
        total += await RunAsync("grants", PurgeGrantsAsync, ct);
        total += await RunAsync("sessions", PurgeSessionsAsync, ct);
        total += await RunAsync("signin_requests", PurgeSignInRequestsAsync, ct);
        total += await RunAsync("webhook_deliveries", PurgeWebhookDeliveriesAsync, ct);
        total += await RunAsync("user_tokens", PurgeUserTokensAsync, ct);
        total += await RunAsync("signing_keys", PurgeSigningKeysAsync, ct);
        return total;
    }

    private async Task<int> RunAsync(string table, Func<BridgeDbContext, DateTimeOffset, CancellationToken, Task<int>> purge, CancellationToken ct)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var deleted = await purge(db, time.GetUtcNow(), ct);
            if (deleted > 0) logger.LogInformation("Deleted {Count} row(s) of {Table} that are no longer used", deleted, table);
            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Purging {Table} failed; retrying at the next run", table);
            return 0;
        }
    }

    /// <summary>
    /// Replay markers (a DPoP proof's or a client assertion's jti) go as soon as they expire: an expired proof or
    /// assertion is refused for its age, so its marker protects nothing more, and DPoP adds one for every request.
    /// A family's revocation marker stays while the family has a member that is neither revoked nor expired: such a
    /// member was stored after the revocation had updated the family's rows, and the marker is what refuses it.
    /// A pending client notification is kept while it is due, and for the grace after its delivery window: the retry
    /// service deletes it when it is delivered or fails for good, and records the failure of one it finds past its
    /// window, so only what a bridge stopped for longer left behind is purged here.
    /// </summary>
    private static Task<int> PurgeGrantsAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - GrantGrace;
        return InBatchesAsync(() => db.Grants
            .Where(g => g.ExpiresAt < (g.Type == GrantTypes.DPoPProof || g.Type == GrantTypes.ClientAssertion ? now : cutoff)
                && g.Type != GrantTypes.DeploymentSecret)
            .Where(g => g.Type != GrantTypes.FamilyRevocation || g.FamilyId == null || !db.Grants.Any(m =>
                m.FamilyId == g.FamilyId && m.Type != GrantTypes.FamilyRevocation && m.RevokedAt == null && m.ExpiresAt > now))
            .Take(BatchSize), ct);
    }

    /// <summary>Their <c>session_clients</c> go with them (the foreign key cascades).</summary>
    private static Task<int> PurgeSessionsAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - SessionGrace;
        return InBatchesAsync(() => db.Sessions
            .Where(s => s.ExpiresAt < cutoff && s.EndedAt != null && !db.Grants.Any(g => g.SessionId == s.Id))
            .Take(BatchSize), ct);
    }

    private static Task<int> PurgeSignInRequestsAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - SignInRequestGrace;
        return InBatchesAsync(() => db.SignInRequests.Where(r => r.ExpiresAt < cutoff).Take(BatchSize), ct);
    }

    private static Task<int> PurgeWebhookDeliveriesAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - WebhookDeliveryGrace;
        return InBatchesAsync(() => db.WebhookDeliveries.Where(d => d.ReceivedAt < cutoff).Take(BatchSize), ct);
    }

    private static Task<int> PurgeUserTokensAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - UserTokenGrace;
        return InBatchesAsync(() => db.UserTokens.Where(t => t.ExpiresAt < cutoff).Take(BatchSize), ct);
    }

    /// <summary>
    /// A handful of rows a year: one statement. Nodes drop a deleted key at their next key reload; it was out of
    /// the JWKS and never a signer already.
    /// </summary>
    private static Task<int> PurgeSigningKeysAsync(BridgeDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now - SigningKeyGrace;
        return db.SigningKeys.Where(k => k.Source == "generated" && k.ExpiresAt != null && k.ExpiresAt < cutoff).ExecuteDeleteAsync(ct);
    }

    /// <summary>Deletes batch after batch until one comes back short, each in its own short statement.</summary>
    private static async Task<int> InBatchesAsync<T>(Func<IQueryable<T>> batch, CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await batch().ExecuteDeleteAsync(ct);
            total += deleted;
        } while (deleted == BatchSize);
        return total;
    }
}

/// <summary>Runs <see cref="DatabaseRetention"/> every hour, on the host's <see cref="TimeProvider"/>.</summary>
internal sealed class DatabaseRetentionService(DatabaseRetention retention, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await retention.PurgeAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
