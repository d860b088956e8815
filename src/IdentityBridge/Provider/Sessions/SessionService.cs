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
    RecordedSessionClients recorded,
    AuditLog audit)
{
    /// <summary>Starts a session for a completed sign-in and issues the session cookie.</summary>
    public async Task<Session> SignInAsync(HttpContext context, SessionSignIn signIn, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var account = await db.Accounts.AsNoTracking().Include(a => a.Roles).FirstAsync(a => a.Id == signIn.AccountId, ct);
        var session = new Session
        {
            Id = UrlSafe.NewId(16),
            AccountId = signIn.AccountId,
            Wallet = signIn.Wallet,
            Network = signIn.Network,
            Method = signIn.Method,
            Acr = signIn.Acr,
            AuthTime = now,
            LastSeenAt = now,
            ExpiresAt = now + options.Value.Session.Lifetime,
            RemoteIp = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Truncate(context.Request.Headers.UserAgent.ToString(), 300),
        };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(ct);

        var claims = new List<Claim>
        {
            new(BridgeSession.SubjectClaim, session.AccountId),
            new(BridgeSession.SessionIdClaim, session.Id),
            new(BridgeSession.AuthTimeClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
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
        var now = time.GetUtcNow();
        await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        return await db.SessionClients.Where(c => c.SessionId == sessionId).Select(c => c.ClientId).ToListAsync(ct);
    }

    /// <summary>
    /// The user's logout (RP-initiated or at the bridge): ends the session and its cookie, revokes the
    /// session-bound refresh tokens (offline_access ones live on, as the user granted them to outlive the
    /// session), and notifies the session's clients over the back channel.
    /// </summary>
    public async Task LogoutAsync(HttpContext context, Session session, CancellationToken ct = default)
    {
        var clients = await EndAsync(session.Id, ct);
        await context.SignOutAsync(BridgeSession.Scheme);
        await grants.RevokeSessionTokensAsync(session.Id, includeOffline: false, ct);
        await audit.WriteAsync(AuditTypes.Logout, session.AccountId, session.AccountId, details: new { sid = session.Id, clients }, ct: ct);
        _ = backChannel.Notify(session.Id, session.AccountId, clients);
    }

    /// <summary>
    /// An administrator ends a session: the session, every refresh token issued in it (offline_access
    /// included) and a back-channel logout to its clients. False when the session does not exist.
    /// </summary>
    public async Task<bool> RevokeAsync(string sessionId, string actor, CancellationToken ct = default)
    {
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        if (session is null) return false;
        var clients = await EndAsync(sessionId, ct);
        await grants.RevokeSessionTokensAsync(sessionId, includeOffline: true, ct);
        await audit.WriteAsync(AuditTypes.SessionRevoked, actor, session.AccountId, details: new { sid = sessionId, clients }, ct: ct);
        _ = backChannel.Notify(sessionId, session.AccountId, clients);
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
