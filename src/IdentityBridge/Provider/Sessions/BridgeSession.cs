namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// The bridge session: a cookie (HttpOnly, SameSite=Lax, Secure outside loopback http) whose principal
/// carries these claims, backed by a <c>sessions</c> row (the <c>sid</c>), so a session can be listed
/// and revoked, and a disabled account loses it at once. A form POST from another site comes without the
/// cookie: see <see cref="CrossSitePost"/>.
/// </summary>
public static class BridgeSession
{
    public const string Scheme = "bridge.session";
    public const string CookieName = "__bridge_session";

    public const string SubjectClaim = "sub";           // local account id
    public const string SessionIdClaim = "sid";
    public const string AuthTimeClaim = "auth_time";    // unix seconds
    public const string WalletClaim = "wallet";         // r-address used for this login
    public const string NetworkClaim = "network";       // MAINNET, TESTNET, ...
    public const string MethodClaim = "amr";            // xumm-oidc, xumm-payload, xumm-push, xapp, ciba
    public const string AcrClaim = "acr";
    public const string RoleClaim = "role";
}

/// <summary>What a completed upstream sign-in hands to <see cref="SessionService"/>.</summary>
/// <param name="AuthenticatedAt">When the user authenticated (the wallet signed), when that was before this sign-in
/// completes (a browser coming back to a signed request); the session's <c>auth_time</c>. Null: now.</param>
public sealed record SessionSignIn(string AccountId, string Wallet, string? Network, string Method, string? Acr = null, DateTimeOffset? AuthenticatedAt = null);
