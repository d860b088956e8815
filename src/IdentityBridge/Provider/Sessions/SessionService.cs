using System.Globalization;
using System.Security.Claims;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Sessions;

/// <summary>Creates, reads and ends bridge sessions (row + cookie).</summary>
public sealed class SessionService(
    BridgeDbContext db,
    TimeProvider time,
    IOptions<BridgeOptions> options,
    GrantStore grants,
    BackChannelLogoutNotifier backChannel,
    FrontChannelLogout frontChannel,
    RecordedSessionClients recorded,
    AuditLog audit)
{
    /// <summary>
    /// Records a completed sign-in in this browser's session and issues the session cookie. When the browser's
    /// live session belongs to the same account, that session (its sid) is kept and takes on the new
    /// authentication: its clients, refresh tokens and logout stay one. When it belongs to another account, it
    /// ends as at logout (its clients are notified, its session-bound refresh tokens end) before a new session
    /// starts: a browser holds one session, and none is left alive behind an overwritten cookie.
    /// </summary>
    public async Task<Session> SignInAsync(HttpContext context, SessionSignIn signIn, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var authTime = signIn.AuthenticatedAt is { } at && at < now ? at : now;
        var account = await db.Accounts.AsNoTracking().Include(a => a.Roles).FirstAsync(a => a.Id == signIn.AccountId, ct);
        Session? session = null;
        if (await GetCurrentAsync(context, ct) is { } current)
        {
            if (current.AccountId == signIn.AccountId) session = await ReauthenticateAsync(context, current, signIn, now, authTime, ct);
            else await EndReplacedAsync(current, signIn.AccountId, ct);
        }
        if (session is null)
        {
            session = new Session
            {
                Id = UrlSafe.NewId(16),
                AccountId = signIn.AccountId,
                Wallet = signIn.Wallet,
                Network = signIn.Network,
                Method = signIn.Method,
                Acr = signIn.Acr,
                AuthTime = authTime,
                LastSeenAt = now,
                ExpiresAt = now + options.Value.Session.Lifetime,
                RemoteIp = context.Connection.RemoteIpAddress?.ToString(),
                UserAgent = Truncate(context.Request.Headers.UserAgent.ToString(), 300),
            };
            db.Sessions.Add(session);
            await db.SaveChangesAsync(ct);
        }

        var claims = new List<Claim>
        {
            new(BridgeSession.SubjectClaim, session.AccountId),
            new(BridgeSession.SessionIdClaim, session.Id),
            new(BridgeSession.AuthTimeClaim, authTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new(BridgeSession.WalletClaim, session.Wallet),
            new(BridgeSession.MethodClaim, session.Method),
        };
        if (session.Network is not null) claims.Add(new(BridgeSession.NetworkClaim, session.Network));
        if (session.Acr is not null) claims.Add(new(BridgeSession.AcrClaim, session.Acr));
        claims.AddRange(account.Roles.Select(r => new Claim(BridgeSession.RoleClaim, r.Role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, BridgeSession.Scheme, BridgeSession.SubjectClaim, BridgeSession.RoleClaim));
        await context.SignInAsync(BridgeSession.Scheme, principal, new AuthenticationProperties
        {
            IsPersistent = false,
            ExpiresUtc = session.ExpiresAt,
        });
        return session;
    }

    /// <summary>
    /// The same account signed in again in its session (prompt=login, max_age, ...): the session records this
    /// authentication (when, how, with which wallet on which network) and lives a full lifetime from now. Null
    /// when the session ended meanwhile.
    /// </summary>
    private async Task<Session?> ReauthenticateAsync(HttpContext context, Session session, SessionSignIn signIn, DateTimeOffset now, DateTimeOffset authTime, CancellationToken ct)
    {
        var expires = now + options.Value.Session.Lifetime;
        var remoteIp = context.Connection.RemoteIpAddress?.ToString();
        var userAgent = Truncate(context.Request.Headers.UserAgent.ToString(), 300);
        var updated = await db.Sessions.Where(s => s.Id == session.Id && s.EndedAt == null).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Wallet, signIn.Wallet)
            .SetProperty(s => s.Network, signIn.Network)
            .SetProperty(s => s.Method, signIn.Method)
            .SetProperty(s => s.Acr, signIn.Acr)
            .SetProperty(s => s.AuthTime, authTime)
            .SetProperty(s => s.LastSeenAt, now)
            .SetProperty(s => s.ExpiresAt, expires)
            .SetProperty(s => s.RemoteIp, remoteIp)
            .SetProperty(s => s.UserAgent, userAgent), ct);
        if (updated == 0) return null;
        session.Wallet = signIn.Wallet;
        session.Network = signIn.Network;
        session.Method = signIn.Method;
        session.Acr = signIn.Acr;
        session.AuthTime = authTime;
        session.LastSeenAt = now;
        session.ExpiresAt = expires;
        session.RemoteIp = remoteIp;
        session.UserAgent = userAgent;
        return session;
    }

    /// <summary>Another account signs in in this browser: the session ends as at logout (<see cref="LogoutAsync"/>).</summary>
    private async Task EndReplacedAsync(Session session, string newAccountId, CancellationToken ct)
    {
        if (!await EndRowAsync(session.Id, ct)) return;
        var clients = await ClientsOfAsync(session.Id, ct);
        await grants.RevokeSessionTokensAsync(session.Id, includeOffline: false, ct);
        await audit.WriteAsync(AuditTypes.Logout, newAccountId, session.AccountId, reason: "signed_in_as_another_account",
            details: new { sid = session.Id, clients }, ct: ct);
        _ = backChannel.Notify(session.Id, session.AccountId, clients);
    }

    /// <summary>
    /// The live session behind the current cookie: null when there is no cookie, or the session was
    /// ended, expired, or belongs to an account that is no longer active.
    /// </summary>
    public async Task<Session?> GetCurrentAsync(HttpContext context, CancellationToken ct = default)
    {
        var result = await context.AuthenticateAsync(BridgeSession.Scheme);
        var sid = result.Principal?.FindFirst(BridgeSession.SessionIdClaim)?.Value;
        return sid is null ? null : await FindActiveAsync(sid, ct);
    }

    /// <summary>A session by id when it is live (not ended, not expired, account active).</summary>
    public async Task<Session?> FindActiveAsync(string sessionId, CancellationToken ct = default)
    {
        return await HotQueries.ActiveSession(db, sessionId, time.GetUtcNow(), ct);
    }

    /// <summary>Ends a session row (no cookie, no notifications) and returns the clients that received tokens in it.</summary>
    public async Task<IReadOnlyList<string>> EndAsync(string sessionId, CancellationToken ct = default)
    {
        await EndRowAsync(sessionId, ct);
        return await ClientsOfAsync(sessionId, ct);
    }

    /// <summary>
    /// Marks the session ended; false when it had ended already, or, with <paramref name="expiredOnly"/>, has not
    /// expired (now, in the same statement: whichever of two nodes or requests comes first ends it, once).
    /// </summary>
    private async Task<bool> EndRowAsync(string sessionId, CancellationToken ct, bool expiredOnly = false)
    {
        var now = time.GetUtcNow();
        var row = db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null);
        if (expiredOnly) row = row.Where(s => s.ExpiresAt <= now);
        return await row.ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct) > 0;
    }

    private async Task<List<string>> ClientsOfAsync(string sessionId, CancellationToken ct) =>
        await db.SessionClients.Where(c => c.SessionId == sessionId).Select(c => c.ClientId).ToListAsync(ct);

    /// <summary>
    /// The user's logout (RP-initiated or at the bridge): ends the session and its cookie, revokes the
    /// session-bound refresh tokens (offline_access ones live on, as the user granted them to outlive the
    /// session), and notifies the session's clients over the back channel. Returns the front-channel logout frames
    /// the page the browser gets must show (<see cref="FrontChannelLogout"/>), which the audit names. When another
    /// request of the same browser ended the session first, only the cookie is cleared here: that request logged it out.
    /// </summary>
    public async Task<IReadOnlyList<FrontChannelFrame>> LogoutAsync(HttpContext context, Session session, CancellationToken ct = default)
    {
        var ended = await EndRowAsync(session.Id, ct);
        await context.SignOutAsync(BridgeSession.Scheme);
        if (!ended) return [];
        var clients = await ClientsOfAsync(session.Id, ct);
        await grants.RevokeSessionTokensAsync(session.Id, includeOffline: false, ct);
        var frames = await frontChannel.FramesAsync(session.Id, clients, ct);
        await audit.WriteAsync(AuditTypes.Logout, session.AccountId, session.AccountId,
            details: new { sid = session.Id, clients, frontChannel = frames.Select(f => f.ClientId) }, ct: ct);
        _ = backChannel.Notify(session.Id, session.AccountId, clients);
        return frames;
    }

    /// <summary>
    /// A session whose lifetime ran out ends as at logout (<see cref="LogoutAsync"/>): its session-bound refresh tokens
    /// are revoked (offline_access ones live on), the end is audited, and its clients are notified over the back
    /// channel. The end checks the expiry again, so a session signed in again since it was found expired lives on.
    /// Returns the back-channel notification under way (<see cref="BackChannelLogoutNotifier.Notify"/>), or null when
    /// this call did not end the session: it is live, or a logout, an administrator or another node ended it first.
    /// </summary>
    public async Task<Task?> ExpireAsync(string sessionId, string accountId, CancellationToken ct = default)
    {
        if (!await EndRowAsync(sessionId, ct, expiredOnly: true)) return null;
        // Ended: what follows runs to its end, so that no session ends without its clients being told.
        var clients = await ClientsOfAsync(sessionId, CancellationToken.None);
        await grants.RevokeSessionTokensAsync(sessionId, includeOffline: false, CancellationToken.None);
        await audit.WriteAsync(AuditTypes.SessionExpired, "system", accountId, details: new { sid = sessionId, clients }, ct: CancellationToken.None);
        return backChannel.Notify(sessionId, accountId, clients);
    }

    /// <summary>
    /// An administrator ends a session: the session, every refresh token issued in it (offline_access
    /// included) and a back-channel logout to its clients. A session that had already ended (logout, expiry) still
    /// loses the offline_access tokens its end left alive; its clients were told when it ended and are not told again.
    /// A revocation that finds nothing left to end or revoke changes nothing and is not audited. False when the
    /// session does not exist.
    /// </summary>
    public async Task<bool> RevokeAsync(string sessionId, string actor, CancellationToken ct = default)
    {
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        if (session is null) return false;
        var ended = await EndRowAsync(sessionId, ct);
        var clients = await ClientsOfAsync(sessionId, ct);
        var families = await grants.RevokeSessionTokensAsync(sessionId, includeOffline: true, ct);
        if (!ended && families == 0) return true;
        await audit.WriteAsync(AuditTypes.SessionRevoked, actor, session.AccountId,
            details: new { sid = sessionId, wallet = session.Wallet, clients, tokenFamiliesRevoked = families, endedBefore = !ended }, ct: ct);
        if (ended) _ = backChannel.Notify(sessionId, session.AccountId, clients);
        return true;
    }

    /// <summary>Records that a client received tokens within a session (for back-channel logout).</summary>
    public async Task AddClientAsync(string sessionId, string clientId, CancellationToken ct = default)
    {
        if (recorded.Contains(sessionId, clientId)) return;
        if (await HotQueries.SessionHasClient(db, sessionId, clientId, ct))
        {
            recorded.Add(sessionId, clientId);
            return;
        }
        var entry = new SessionClient { SessionId = sessionId, ClientId = clientId, FirstSeenAt = time.GetUtcNow() };
        db.SessionClients.Add(entry);
        try
        {
            await db.SaveChangesAsync(ct);
            recorded.Add(sessionId, clientId);
        }
        catch (DbUpdateException)
        {
            // Recorded concurrently by another request (or the session row is gone).
            db.Entry(entry).State = EntityState.Detached;
        }
    }

    private static string? Truncate(string value, int max) => value.Length == 0 ? null : value.Length <= max ? value : value[..max];
}
