using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Raised with the userinfo document once its <c>sub</c> matched the ID token. Claim actions run on it after
/// this event; call <c>Fail(reason)</c> to refuse the sign-in (e.g. a blocked account).
/// </summary>
public sealed class OidcUserInformationReceivedContext : RemoteAuthenticationContext<OidcClientOptions>
{
    /// <summary>Creates the context.</summary>
    public OidcUserInformationReceivedContext(
        HttpContext context,
        AuthenticationScheme scheme,
        OidcClientOptions options,
        ClaimsPrincipal principal,
        AuthenticationProperties properties,
        JsonDocument user,
        JsonWebToken idToken)
        : base(context, scheme, options, properties)
    {
        Principal = principal;
        User = user;
        IdToken = idToken;
    }

    /// <summary>The userinfo response.</summary>
    public JsonDocument User { get; }

    /// <summary>The validated ID token of the same sign-in.</summary>
    public JsonWebToken IdToken { get; }
}
