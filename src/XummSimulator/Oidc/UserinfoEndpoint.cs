using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Oidc;

/// <summary><c>/userinfo</c>: validates the Bearer JWT and describes the wallet.</summary>
internal static class UserinfoEndpoint
{
    private const string Challenge = "Bearer error=\"invalid_token\"";

    public static IResult Handle(HttpContext context, XummSimulatorState state)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(header.Parameter))
        {
            return OidcError.Json(StatusCodes.Status401Unauthorized, "invalid_request", "A Bearer token is required.", context, "Bearer");
        }

        var claims = CompactJwt.ReadRs256(header.Parameter, state.Keys.Current);
        if (claims is null)
        {
            return OidcError.Json(StatusCodes.Status401Unauthorized, "invalid_token", "The token signature is not valid.", context, Challenge);
        }

        var urls = SimulatorUrls.For(context, state.Options);
        var now = state.Time.GetUtcNow().ToUnixTimeSeconds();
        if (Long(claims, "exp") is not { } exp || exp <= now)
        {
            return OidcError.Json(StatusCodes.Status401Unauthorized, "invalid_token", "The token has expired.", context, Challenge);
        }

        if (Text(claims, "iss") != urls.Issuer || Text(claims, "sub") is not { } account)
        {
            return OidcError.Json(StatusCodes.Status401Unauthorized, "invalid_token", "The token was not issued here.", context, Challenge);
        }

        OidcError.NoStore(context);
        return Results.Json(new JsonObject
        {
            ["sub"] = account,
            ["email"] = Text(claims, "email"),
            ["picture"] = $"{urls.Base}/avatar/{account}.png",
            ["account"] = account,
            ["name"] = null,
            ["domain"] = null,
            ["blocked"] = state.IsBlocked(account),
            ["source"] = null,
            ["kycApproved"] = state.IsKycApproved(account),
            ["proSubscription"] = false,
            ["networkType"] = Text(claims, "network_type"),
            ["networkEndpoint"] = Text(claims, "network_endpoint"),
            ["networkId"] = Long(claims, "network_id"),
        });
    }

    private static string? Text(JsonObject claims, string name) =>
        claims[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Long(JsonObject claims, string name) =>
        claims[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
