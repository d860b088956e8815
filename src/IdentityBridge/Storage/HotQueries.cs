using IdentityBridge.Provider.Protocol;
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

    /// <summary>True when a revocation marker exists under either key.</summary>
    public static readonly Func<BridgeDbContext, string, string, CancellationToken, Task<bool>> AnyGrantKey =
        EF.CompileAsyncQuery((BridgeDbContext db, string first, string second, CancellationToken _) =>
            db.Grants.Any(g => g.Key == first || g.Key == second));

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
        var roles = scopes.Contains(OidcScopes.Roles);
        var wallets = scopes.Contains(OidcScopes.Wallet);
        return (roles, wallets) switch
        {
            (false, false) => AccountOnly(db, id, ct),
            (true, false) => AccountWithRoles(db, id, ct),
            (false, true) => AccountWithWallets(db, id, ct),
            (true, true) => AccountWithRolesAndWallets(db, id, ct),
        };
    }

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
