using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IdentityBridge.RelyingParty;

/// <summary>The authorization request about to be sent; parameters may be added or changed.</summary>
public sealed class OidcAuthorizationRequestContext : PropertiesContext<OidcClientOptions>
{
    /// <summary>Creates the context.</summary>
    public OidcAuthorizationRequestContext(
        HttpContext context,
        AuthenticationScheme scheme,
        OidcClientOptions options,
        AuthenticationProperties properties,
        string authorizationEndpoint,
        IDictionary<string, string> parameters)
        : base(context, scheme, options, properties)
    {
        AuthorizationEndpoint = authorizationEndpoint;
        Parameters = parameters;
    }

    /// <summary>The endpoint the browser is sent to.</summary>
    public string AuthorizationEndpoint { get; }

    /// <summary>
    /// Query parameters of the request. <c>state</c> is added afterwards from <see cref="PropertiesContext{TOptions}.Properties"/>,
    /// so items set on the properties here are protected and returned on the callback.
    /// </summary>
    public IDictionary<string, string> Parameters { get; }
}
