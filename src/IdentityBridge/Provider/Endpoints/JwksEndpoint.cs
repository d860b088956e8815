using IdentityBridge.Provider.Keys;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>GET /.well-known/jwks.json: the published public keys (signers, announced successors, retained predecessors).</summary>
public static class JwksEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet(ProviderUrls.JwksPath, Handle);

    private static IResult Handle(HttpContext context, SigningKeyStore keys)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        context.Response.Headers.AccessControlAllowOrigin = "*";
        return Results.Bytes(keys.GetJwksBytes(), "application/jwk-set+json");
    }
}
