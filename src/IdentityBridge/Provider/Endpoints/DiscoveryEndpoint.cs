using IdentityBridge.Provider.Discovery;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server (the same document).</summary>
public static class DiscoveryEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(ProviderUrls.DiscoveryPath, Handle);
        app.MapGet(ProviderUrls.AuthorizationServerMetadataPath, Handle);
    }

    private static IResult Handle(HttpContext context, DiscoveryDocument discovery)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        context.Response.Headers.AccessControlAllowOrigin = "*";
        return Results.Bytes(discovery.Json, "application/json");
    }
}
