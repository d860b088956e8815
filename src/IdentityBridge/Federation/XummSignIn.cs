using IdentityBridge.Configuration;

namespace IdentityBridge.Federation;

/// <summary>Names of the upstream "Sign in with Xumm" scheme, shared by registration, pages and tests.</summary>
public static class XummSignIn
{
    /// <summary>The authentication scheme of the upstream OpenID Connect client.</summary>
    public const string Scheme = "xumm";

    /// <summary>Where Xumm returns the browser; registered as the redirect URI of the Xumm application.</summary>
    public const string CallbackPath = "/signin-xumm";

    /// <summary>Named HttpClient used for discovery, keys, token and userinfo calls to Xumm.</summary>
    public const string HttpClientName = "xumm";

    /// <summary>The sign-in method recorded on sessions started this way.</summary>
    public const string Method = SignInMethods.XummOidc;

    /// <summary>Where a login goes when nobody asked for anything else.</summary>
    public const string DefaultReturnUrl = "/account";

    /// <summary>The login error page.</summary>
    public const string ErrorPath = "/login/error";

    /// <summary>The account page (wallets, linking).</summary>
    public const string AccountPath = "/account";
}
