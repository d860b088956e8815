using System.Globalization;
using System.Security.Claims;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Sessions;

/// <summary>Creates, reads and ends bridge sessions (row + cookie).</summary>
public sealed class SessionService(BridgeDbContext db, TimeProvider time, IOptions<BridgeOptions> options)
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
        if (sid is null) return null;
        var now = time.GetUtcNow();
        return await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sid && s.EndedAt == null && s.ExpiresAt > now)
            .Where(s => db.Accounts.Any(a => a.Id == s.AccountId && a.Status == AccountStatus.Active))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>Ends a session (logout or revocation) and returns the clients to notify.</summary>
    public async Task<IReadOnlyList<string>> EndAsync(string sessionId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        return await db.SessionClients.Where(c => c.SessionId == sessionId).Select(c => c.ClientId).ToListAsync(ct);
    }

    /// <summary>Records that a client received tokens within a session (for back-channel logout).</summary>
    public async Task AddClientAsync(string sessionId, string clientId, CancellationToken ct = default)
    {
        if (await db.SessionClients.AnyAsync(c => c.SessionId == sessionId && c.ClientId == clientId, ct)) return;
        db.SessionClients.Add(new SessionClient { SessionId = sessionId, ClientId = clientId, FirstSeenAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Recorded concurrently by another request.
        }
    }

    private static string? Truncate(string value, int max) => value.Length == 0 ? null : value.Length <= max ? value : value[..max];
}
