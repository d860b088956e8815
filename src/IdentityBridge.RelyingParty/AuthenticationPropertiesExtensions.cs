using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.RelyingParty;

/// <summary>Challenge-time helpers for <see cref="AuthenticationProperties"/>.</summary>
public static class AuthenticationPropertiesExtensions
{
    /// <summary>
    /// Adds a parameter (e.g. <c>login_hint</c>, <c>prompt</c>, <c>force_network</c>, <c>signers</c>) to the
    /// authorization request of this challenge. Parameters the handler sets itself (state, nonce, PKCE,
    /// redirect_uri, ...) cannot be overridden this way.
    /// </summary>
    public static AuthenticationProperties SetAuthorizationParameter(this AuthenticationProperties properties, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        properties.SetParameter(OidcClientDefaults.AuthorizationParameterPrefix + name, value);
        return properties;
    }
}
