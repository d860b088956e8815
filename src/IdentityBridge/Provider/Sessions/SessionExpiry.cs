using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// Ends the sessions whose lifetime ran out as a logout ends a session (<see cref="SessionService.ExpireAsync"/>):
/// the OP remembers a session's clients to log them out when it ends (OpenID Connect Back-Channel Logout 1.0 §2,
/// §2.3), and a session that expires ends as surely as one the user logs out of. Every node runs it: the
/// conditional end lets one node end each session, and only that node revokes, audits and notifies. Sessions are
/// taken oldest expiry first, at most <see cref="BatchSize"/> at a time, each batch's first logout attempts made
/// before the next batch is read.
/// </summary>
public sealed class SessionExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<SessionExpiry> logger)
{
    /// <summary>Sessions read by one look-up, whose clients are notified before the next look-up.</summary>
    public const int BatchSize = 100;

    /// <summary>
    /// Every session that expired at or before this instant (UTC ticks, 0 for none yet) has been ended, by this node or
    /// another: a run reads only the range of <c>ix_sessions_expires_at</c> after it, not the ended sessions of the
    /// weeks before that retention keeps. Sessions are created and signed in again to expire in the future, so none
    /// joins the range behind it.
    /// </summary>
    private long _sweptUntil;

    /// <summary>Ends every session that has expired and not ended. Returns the number this node ended.</summary>
    public async Task<int> EndExpiredAsync(CancellationToken ct)
    {
        var ended = 0;
        var failed = false;
        while (true)
        {
            var now = time.GetUtcNow();
            var swept = Interlocked.Read(ref _sweptUntil);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            var query = db.Sessions.AsNoTracking().Where(s => s.EndedAt == null && s.ExpiresAt <= now);
            if (swept > 0)
            {
                var after = new DateTimeOffset(swept, TimeSpan.Zero);
                query = query.Where(s => s.ExpiresAt > after);
            }
            var due = await query.OrderBy(s => s.ExpiresAt).Take(BatchSize).Select(s => new { s.Id, s.AccountId }).ToListAsync(ct);

            var sessions = scope.ServiceProvider.GetRequiredService<SessionService>();
            var notifications = new List<Task>();
            var failures = 0;
            foreach (var session in due)
            {
                try
                {
                    if (await sessions.ExpireAsync(session.Id, session.AccountId, ct) is not { } notified) continue;
                    ended++;
                    notifications.Add(notified);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Left for the next run, which reads from the same instant again; the other sessions go on.
                    logger.LogError(ex, "Ending expired session {SessionId} failed", session.Id);
                    failures++;
                }
            }
            await Task.WhenAll(notifications);
            failed |= failures > 0;

            if (due.Count == BatchSize && failures < due.Count) continue;
            if (!failed && due.Count < BatchSize) Advance(now.UtcTicks);
            return ended;
        }
    }

    private void Advance(long until)
    {
        var current = Interlocked.Read(ref _sweptUntil);
        while (until > current)
        {
            var seen = Interlocked.CompareExchange(ref _sweptUntil, until, current);
            if (seen == current) return;
            current = seen;
        }
    }
}

/// <summary>
/// Runs <see cref="SessionExpiry"/> once the host has started and then every <see cref="Interval"/>, on the host's
/// <see cref="TimeProvider"/>.
/// </summary>
internal sealed class SessionExpiryService(SessionExpiry expiry, TimeProvider time, ILogger<SessionExpiryService> logger) : BackgroundService
{
    /// <summary>
    /// A minute: a client hears of an expired session at most about a minute after it expired (sessions live hours),
    /// and each run reads only the sessions that expired since the one before.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite's "asynchronous" calls complete synchronously: leave the host's start before the first look-up.
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await expiry.EndExpiredAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Looking for expired sessions failed; trying again in {Interval}", Interval);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
