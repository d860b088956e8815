using IdentityBridge.Admin.Contracts;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Services;

/// <summary>Bridge sessions: listing per account and revocation.</summary>
public sealed class SessionAdminService(BridgeDbContext db, TimeProvider time, SessionService sessions)
{
    public async Task<AdminResult<ResultPage<SessionView>>> ListForAccountAsync(string accountId, bool includeEnded, PageRequest page, CancellationToken ct = default)
    {
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) return AdminError.NotFound("Account", accountId);
        var now = time.GetUtcNow();
        var query = db.Sessions.AsNoTracking().Where(s => s.AccountId == accountId);
        if (!includeEnded) query = query.Where(s => s.EndedAt == null && s.ExpiresAt > now);
        var total = await query.CountAsync(ct);
        var items = await query.Include(s => s.Clients).OrderByDescending(s => s.AuthTime).ThenBy(s => s.Id)
            .Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new ResultPage<SessionView>(items.Select(s => ToView(s, now)).ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>
    /// Ends a session as <see cref="SessionService.RevokeAsync"/> does: the refresh tokens issued within it
    /// (offline_access included) are revoked with their families, so the access tokens issued from them stop
    /// working too, and its clients get a back-channel logout. A session that has ended already (logout,
    /// expiry) loses the offline_access tokens that outlived its end.
    /// </summary>
    public Task<AdminResult<SessionView>> RevokeAsync(string sessionId, string actor, CancellationToken ct = default) =>
        RevokeAsync(sessionId, accountId: null, actor, ct);

    /// <summary>
    /// Ends a session of the account <paramref name="accountId"/> names: a session of another account is not found,
    /// so a form posted to one account's page cannot end the sessions of another.
    /// </summary>
    public Task<AdminResult<SessionView>> RevokeForAccountAsync(string accountId, string sessionId, string actor, CancellationToken ct = default) =>
        RevokeAsync(sessionId, accountId, actor, ct);

    private async Task<AdminResult<SessionView>> RevokeAsync(string sessionId, string? accountId, string actor, CancellationToken ct)
    {
        var session = await db.Sessions.AsNoTracking().Include(s => s.Clients).FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        if (session is null || accountId is not null && session.AccountId != accountId) return AdminError.NotFound("Session", sessionId);
        var now = time.GetUtcNow();
        // An ended session is revoked too: its offline_access tokens outlived its end.
        await sessions.RevokeAsync(sessionId, actor, ct);
        session.EndedAt ??= now;
        return ToView(session, now);
    }

    public async Task<int> CountActiveAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return await db.Sessions.CountAsync(s => s.EndedAt == null && s.ExpiresAt > now, ct);
    }

    private static SessionView ToView(Session s, DateTimeOffset now) => new(
        s.Id, s.AccountId, s.Wallet, s.Network, s.Method, s.AuthTime, s.LastSeenAt, s.ExpiresAt, s.EndedAt,
        s.EndedAt is null && s.ExpiresAt > now, s.RemoteIp, s.UserAgent,
        s.Clients.Select(c => c.ClientId).Order(StringComparer.Ordinal).ToList());
}
