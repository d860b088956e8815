using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Storage;

/// <summary>
/// The look-ups on the token, userinfo and introspection paths, compiled once. A LINQ query is otherwise
/// re-walked on every call to find its parameters and its cached plan; these run on every request.
/// </summary>
internal static class HotQueries
{
    /// <summary>A grant by the hash of its handle and its type.</summary>
    public static readonly Func<BridgeDbContext, string, string, CancellationToken, Task<Grant?>> GrantByKey =
        EF.CompileAsyncQuery((BridgeDbContext db, string key, string type, CancellationToken _) =>
            db.Grants.AsNoTracking().FirstOrDefault(g => g.Key == key && g.Type == type));

    /// <summary>
    /// A grant by key and type with its account (without roles and wallets) and whether its family was revoked,
    /// in the same round trip; the account is null when the grant has none or it no longer exists. The family
    /// counts for a grant stored after the revocation had updated the family's rows, which its own row does not show.
    /// </summary>
    public static readonly Func<BridgeDbContext, string, string, CancellationToken, Task<GrantWithAccount?>> GrantWithAccountByKey =
        EF.CompileAsyncQuery((BridgeDbContext db, string key, string type, CancellationToken _) =>
            (from g in db.Grants.AsNoTracking()
             where g.Key == key && g.Type == type
             join a in db.Accounts.AsNoTracking() on g.AccountId equals a.Id into accounts
             from a in accounts.DefaultIfEmpty()
             select new GrantWithAccount(g, a,
                 g.FamilyId != null && db.Grants.Any(m => m.FamilyId == g.FamilyId && m.Type == GrantTypes.FamilyRevocation))).FirstOrDefault());

    /// <summary>True when a revocation marker exists under either key.</summary>
    public static readonly Func<BridgeDbContext, string, string, CancellationToken, Task<bool>> AnyGrantKey =
        EF.CompileAsyncQuery((BridgeDbContext db, string first, string second, CancellationToken _) =>
            db.Grants.Any(g => g.Key == first || g.Key == second));

    /// <summary>A session by id when it is live: not ended, not expired, its account active.</summary>
    public static readonly Func<BridgeDbContext, string, DateTimeOffset, CancellationToken, Task<Session?>> ActiveSession =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, DateTimeOffset now, CancellationToken _) =>
            db.Sessions.AsNoTracking()
                .Where(s => s.Id == id && s.EndedAt == null && s.ExpiresAt > now)
                .FirstOrDefault(s => db.Accounts.Any(a => a.Id == s.AccountId && a.Status == AccountStatus.Active)));

    /// <summary>True when a client is recorded in a session.</summary>
    public static readonly Func<BridgeDbContext, string, string, CancellationToken, Task<bool>> SessionHasClient =
        EF.CompileAsyncQuery((BridgeDbContext db, string sessionId, string clientId, CancellationToken _) =>
            db.SessionClients.Any(c => c.SessionId == sessionId && c.ClientId == clientId));

    /// <summary>True when the account exists and is active.</summary>
    public static readonly Func<BridgeDbContext, string, CancellationToken, Task<bool>> AccountIsActive =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.Any(a => a.Id == id && a.Status == AccountStatus.Active));

    /// <summary>
    /// An account with the collections the scopes release (roles for <c>roles</c>, wallets for
    /// <c>wallet</c>); the others stay empty. Most tokens need neither, and a join of both costs a
    /// cartesian product and its materialisation on every token and userinfo request.
    /// </summary>
    public static Task<Account?> AccountForScopes(BridgeDbContext db, string id, IReadOnlyCollection<string> scopes, CancellationToken ct)
    {
        var (roles, wallets) = CollectionsFor(scopes);
        return (roles, wallets) switch
        {
            (false, false) => AccountOnly(db, id, ct),
            (true, false) => AccountWithRoles(db, id, ct),
            (false, true) => AccountWithWallets(db, id, ct),
            (true, true) => AccountWithRolesAndWallets(db, id, ct),
        };
    }

    /// <summary>Whether the scopes release the account's roles and its wallets.</summary>
    public static (bool Roles, bool Wallets) CollectionsFor(IReadOnlyCollection<string> scopes) =>
        (scopes.Contains(OidcScopes.Roles), scopes.Contains(OidcScopes.Wallet));

    private static readonly Func<BridgeDbContext, string, CancellationToken, Task<Account?>> AccountOnly =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.AsNoTracking().FirstOrDefault(a => a.Id == id));

    private static readonly Func<BridgeDbContext, string, CancellationToken, Task<Account?>> AccountWithRoles =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.AsNoTracking().Include(a => a.Roles).FirstOrDefault(a => a.Id == id));

    private static readonly Func<BridgeDbContext, string, CancellationToken, Task<Account?>> AccountWithWallets =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.AsNoTracking().Include(a => a.Wallets).FirstOrDefault(a => a.Id == id));

    private static readonly Func<BridgeDbContext, string, CancellationToken, Task<Account?>> AccountWithRolesAndWallets =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.AsNoTracking().Include(a => a.Roles).Include(a => a.Wallets).FirstOrDefault(a => a.Id == id));
}

/// <summary>A grant, its account and whether its family was revoked, read together.</summary>
internal sealed record GrantWithAccount(Grant Grant, Account? Account, bool FamilyRevoked);
