namespace IdentityBridge.RelyingParty;

/// <summary>Default values and well-known keys of the OpenID Connect client handler.</summary>
public static class OidcClientDefaults
{
    /// <summary>The callback path used when none is configured.</summary>
    public const string CallbackPath = "/signin-oidc";

    /// <summary>The path the provider returns to after an RP-initiated logout.</summary>
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>
    /// Prefix of entries in <c>AuthenticationProperties.Parameters</c> or <c>AuthenticationProperties.Items</c>
    /// that are added to the authorization request at challenge time, e.g. <c>oidc.authorize.login_hint</c>.
    /// </summary>
    public const string AuthorizationParameterPrefix = "oidc.authorize.";

    /// <summary>Key of the nonce kept in the protected state.</summary>
    internal const string NonceItemKey = "oidc.nonce";

    /// <summary>Key of the <c>id_token_hint</c> a caller may pass to sign-out in <c>Parameters</c>.</summary>
    public const string IdTokenHintParameter = "id_token_hint";
}
