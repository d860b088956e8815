using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Oidc;

internal static class DiscoveryEndpoint
{
    public static IResult Handle(HttpContext context, XummSimulatorState state)
    {
        var urls = SimulatorUrls.For(context, state.Options);
        var document = new JsonObject
        {
            ["issuer"] = urls.Issuer,
            ["authorization_endpoint"] = urls.Base + "/auth",
            ["token_endpoint"] = urls.Base + "/token",
            ["userinfo_endpoint"] = urls.Base + "/userinfo",
            ["jwks_uri"] = urls.Base + "/certs",
            ["response_types_supported"] = new JsonArray("code", "token", "id_token token", "id_token"),
            ["response_modes_supported"] = new JsonArray("query", "fragment"),
            ["grant_types_supported"] = new JsonArray("authorization_code", "implicit"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post", "none"),
            ["scopes_supported"] = new JsonArray("openid", "email", "profile"),
            ["claims_supported"] = new JsonArray(
                "sub", "iss", "aud", "iat", "exp", "nonce", "email", "app_name", "payload_uuidv4", "usertoken_uuidv4",
                "network_type", "network_endpoint", "network_id", "scope"),
        };
        return Results.Json(document);
    }
}
