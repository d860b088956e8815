using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Grants;

/// <summary>A token request after client authentication: the authenticated client and the form parameters.</summary>
public sealed class TokenRequestContext
{
    public required HttpContext HttpContext { get; init; }
    public required RegisteredClient Client { get; init; }
    /// <summary>client_secret_basic, client_secret_post, private_key_jwt or none.</summary>
    public required string ClientAuthenticationMethod { get; init; }
    public required string GrantType { get; init; }
    public required OAuthParameters Parameters { get; init; }

    /// <summary>
    /// The JWK thumbprint of the request's valid DPoP proof (RFC 9449 §4.3), or null without one. A grant passes it to
    /// <see cref="Tokens.TokenIssueRequest.DPoPJkt"/>, and checks it against what its code or refresh token is bound to.
    /// </summary>
    public string? DPoPJkt { get; init; }

    /// <summary>
    /// Set by a grant that wrote its own, richer <c>token.refused</c> event for this request, so the endpoint
    /// does not write a second one.
    /// </summary>
    public bool RefusalAudited { get; set; }

    public string? this[string name] => Parameters[name];
}
