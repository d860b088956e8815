using EnterpriseApp.Authentication;

namespace EnterpriseApp.Api;

/// <summary>
/// The app's API under /api: bearer access tokens from the bridge only (JwtBearer: signature from the
/// bridge's JWKS, issuer, audience = this client id, typ at+jwt, lifetime). No cookies.
/// </summary>
public static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(AuthenticationSetup.ApiPolicy);
        api.MapGet("/me", (HttpContext context) =>
        {
            var user = context.User;
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(new
            {
                sub = user.FindFirst("sub")?.Value,
                client_id = user.FindFirst("client_id")?.Value,
                scope = user.FindFirst("scope")?.Value,
                xrpl_address = user.FindFirst(BridgeClaims.Wallet)?.Value,
                xrpl_network = user.FindFirst(BridgeClaims.Network)?.Value,
                roles = user.FindAll(BridgeClaims.Roles).Select(c => c.Value).ToArray(),
                sid = user.FindFirst(BridgeClaims.SessionId)?.Value,
            });
        });
    }
}
