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
    /// Set by a grant that wrote its own, richer <c>token.refused</c> event for this request, so the endpoint
    /// does not write a second one.
    /// </summary>
    public bool RefusalAudited { get; set; }

    public string? this[string name] => Parameters[name];
}
