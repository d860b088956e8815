using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace XummSimulator.Oidc;

/// <summary>The OAuth2 / OpenID Connect surface of oauth2.xumm.app.</summary>
internal static class OidcEndpoints
{
    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/.well-known/openid-configuration", DiscoveryEndpoint.Handle);
        group.MapGet("/auth", AuthorizeEndpoint.Handle);
        group.MapPost("/auth/decision", AuthorizeDecisionEndpoint.Decide).DisableAntiforgery();
        group.MapGet("/auth/continue", AuthorizeDecisionEndpoint.Continue);
        group.MapPost("/token", TokenEndpoint.Handle).DisableAntiforgery();
        group.MapMethods("/userinfo", ["GET", "POST"], UserinfoEndpoint.Handle).DisableAntiforgery();
        group.MapGet("/certs", JwksEndpoint.Handle);
    }
}
