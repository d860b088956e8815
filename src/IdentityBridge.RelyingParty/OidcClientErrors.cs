namespace IdentityBridge.RelyingParty;

/// <summary>
/// Error codes carried by <see cref="OidcClientFailureException"/>. Codes returned by the provider
/// (<c>access_denied</c>, <c>invalid_grant</c>, ...) are passed through unchanged.
/// </summary>
public static class OidcClientErrors
{
    /// <summary>The user or the provider refused the authorization.</summary>
    public const string AccessDenied = "access_denied";

    /// <summary>The callback request was malformed (no code, conflicting codes, wrong <c>iss</c>).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The state was missing, could not be read, or its correlation cookie was already used.</summary>
    public const string InvalidState = "invalid_state";

    /// <summary>The token endpoint answered, but not with a usable token response.</summary>
    public const string InvalidTokenResponse = "invalid_token_response";

    /// <summary>The ID token failed validation (signature, algorithm, issuer, audience, lifetime, nonce).</summary>
    public const string InvalidIdToken = "invalid_id_token";

    /// <summary>The userinfo response was unusable or belongs to another subject.</summary>
    public const string InvalidUserInfo = "invalid_userinfo";

    /// <summary>The provider (metadata, keys, token or userinfo endpoint) could not be reached in time.</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}
