using IdentityBridge.Provider.Protocol;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// The claims each scope releases, the same in ID tokens and at userinfo:
/// profile → name, picture, updated_at; email → email, email_verified (only a locally set address, never
/// Xumm's synthetic one); wallet → xrpl_address (this login's wallet), xrpl_addresses, xrpl_network,
/// kyc_approved; roles → roles.
/// </summary>
public static class UserClaims
{
    public static readonly IReadOnlyList<string> Supported =
        ["name", "picture", "updated_at", "email", "email_verified", "xrpl_address", "xrpl_addresses", "xrpl_network", "kyc_approved", "roles"];

    /// <summary>The scope that releases <paramref name="claim"/>, or null for a claim no scope releases.</summary>
    public static string? ScopeOf(string claim) => claim switch
    {
        "name" or "picture" or "updated_at" => OidcScopes.Profile,
        "email" or "email_verified" => OidcScopes.Email,
        "xrpl_address" or "xrpl_addresses" or "xrpl_network" or "kyc_approved" => OidcScopes.Wallet,
        "roles" => OidcScopes.Roles,
        _ => null,
    };

    /// <summary><paramref name="scopes"/> and the scopes of the claims <paramref name="requested"/> by name: what to read the account for.</summary>
    public static IReadOnlyCollection<string> ScopesWith(IReadOnlyCollection<string> scopes, IReadOnlyCollection<string>? requested) =>
        requested is null or { Count: 0 }
            ? scopes
            : scopes.Concat(requested.Select(ScopeOf).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The claims of <paramref name="scopes"/> and, beyond them, those <paramref name="requested"/> by name (OIDC Core
    /// §5.5): a claim asked for alone comes without the rest of its scope's.
    /// </summary>
    public static Dictionary<string, object> For(Account account, IReadOnlyCollection<string> scopes, IReadOnlyCollection<string>? requested, string? wallet, string? network)
    {
        if (requested is null or { Count: 0 }) return For(account, scopes, wallet, network);
        var claims = For(account, ScopesWith(scopes, requested), wallet, network);
        foreach (var name in claims.Keys.Where(k => !requested.Contains(k) && !scopes.Contains(ScopeOf(k)!)).ToList()) claims.Remove(name);
        return claims;
    }

    public static Dictionary<string, object> For(Account account, IReadOnlyCollection<string> scopes, string? wallet, string? network)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (scopes.Contains(OidcScopes.Profile))
        {
            if (!string.IsNullOrEmpty(account.DisplayName)) claims["name"] = account.DisplayName;
            if (!string.IsNullOrEmpty(account.Picture)) claims["picture"] = account.Picture;
            claims["updated_at"] = account.UpdatedAt.ToUnixTimeSeconds();
        }
        if (scopes.Contains(OidcScopes.Email) && IsRealEmail(account.Email))
        {
            claims["email"] = account.Email!;
            claims["email_verified"] = account.EmailVerified;
        }
        if (scopes.Contains(OidcScopes.Wallet))
        {
            if (!string.IsNullOrEmpty(wallet)) claims["xrpl_address"] = wallet;
            claims["xrpl_addresses"] = account.Wallets.OrderBy(w => w.LinkedAt).ThenBy(w => w.Id).Select(w => w.Address).ToArray();
            if (!string.IsNullOrEmpty(network)) claims["xrpl_network"] = network;
            claims["kyc_approved"] = account.KycApproved;
        }
        if (scopes.Contains(OidcScopes.Roles))
            claims["roles"] = account.Roles.Select(r => r.Role).Order(StringComparer.Ordinal).ToArray();
        return claims;
    }

    /// <summary>Xumm's OIDC email is <c>{client_id}+{r-address}@xumm.me</c>: never a mailbox, never released.</summary>
    public static bool IsRealEmail(string? email) =>
        !string.IsNullOrWhiteSpace(email) && !email.EndsWith("@xumm.me", StringComparison.OrdinalIgnoreCase);
}
