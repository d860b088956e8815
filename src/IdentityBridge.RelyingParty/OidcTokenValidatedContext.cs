using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Raised after the ID token passed every check. <see cref="RemoteAuthenticationContext{TOptions}.Principal"/>
/// holds the mapped claims; <see cref="IdTokenIdentity"/> holds every claim of the token, mapped or not.
/// Call <c>Fail(reason)</c> to refuse the sign-in.
/// </summary>
public sealed class OidcTokenValidatedContext : RemoteAuthenticationContext<OidcClientOptions>
{
    /// <summary>Creates the context.</summary>
    public OidcTokenValidatedContext(
        HttpContext context,
        AuthenticationScheme scheme,
        OidcClientOptions options,
        ClaimsPrincipal principal,
        AuthenticationProperties properties,
        OAuthTokenResponse tokenResponse,
        JsonWebToken idToken)
        : base(context, scheme, options, properties)
    {
        Principal = principal;
        TokenResponse = tokenResponse;
        IdToken = idToken;
    }

    /// <summary>The token endpoint response (raw JSON in <see cref="OAuthTokenResponse.Response"/>).</summary>
    public OAuthTokenResponse TokenResponse { get; }

    /// <summary>The validated ID token.</summary>
    public JsonWebToken IdToken { get; }

    /// <summary>All claims of the validated ID token, under their JWT names (built on first read).</summary>
    public ClaimsIdentity IdTokenIdentity => idTokenIdentity ??= Validation.OidcIdTokenValidator.CreateIdentity(IdToken);

    private ClaimsIdentity? idTokenIdentity;
}
