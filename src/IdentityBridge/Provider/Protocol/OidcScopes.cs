namespace IdentityBridge.Provider.Protocol;

/// <summary>The scopes this provider knows, with the words the consent page uses for them.</summary>
public static class OidcScopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string Wallet = "wallet";
    public const string Roles = "roles";
    public const string OfflineAccess = "offline_access";

    /// <summary>Advertised in discovery.</summary>
    public static readonly IReadOnlyList<string> Supported = [OpenId, Profile, Email, Wallet, Roles, OfflineAccess];

    /// <summary>Scopes about a user: meaningless for client_credentials.</summary>
    public static readonly IReadOnlySet<string> UserScopes = new HashSet<string>(Supported, StringComparer.Ordinal);

    public static string Describe(string scope) => scope switch
    {
        OpenId => "Know who you are (a stable identifier for your account)",
        Profile => "See your display name and picture",
        Email => "See your email address",
        Wallet => "See the XRP Ledger wallet you sign in with, your other linked wallets and your KYC status",
        Roles => "See the roles assigned to you",
        OfflineAccess => "Stay signed in and access your data while you are not using the app",
        _ => $"Access \"{scope}\"",
    };

    /// <summary>
    /// The error_description (with invalid_scope) for a scope parameter sent with a value that names no scope, only
    /// blanks: RFC 6749 §3.3 makes scope a list of one or more scope tokens. A scope sent empty is omitted (§3.1).
    /// </summary>
    public const string NoScopeNamed = "The scope parameter names no scope.";

    /// <summary>Splits a space separated scope string into distinct values, in order.</summary>
    public static IReadOnlyList<string> Parse(string? scope) =>
        string.IsNullOrWhiteSpace(scope) ? [] : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes);
}
