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

    /// <summary>An account with its roles and wallets (the claims of a token or of userinfo).</summary>
    public static readonly Func<BridgeDbContext, string, CancellationToken, Task<Account?>> AccountWithClaims =
        EF.CompileAsyncQuery((BridgeDbContext db, string id, CancellationToken _) =>
            db.Accounts.AsNoTracking().Include(a => a.Roles).Include(a => a.Wallets).FirstOrDefault(a => a.Id == id));
}
