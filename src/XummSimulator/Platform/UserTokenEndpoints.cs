using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace XummSimulator.Platform;

/// <summary><c>POST /user-tokens</c>: which of these user tokens can still be pushed to.</summary>
internal static class UserTokenEndpoints
{
    public static async Task<IResult> Check(HttpContext context, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var (body, valid) = await PlatformEndpoints.ReadJsonAsync(context);
        if (!valid || body?["tokens"] is not JsonArray tokens
            || tokens.Any(t => t is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            return PlatformError.BadRequest("Expected { \"tokens\": [ \"...\" ] }.");
        }

        var now = state.Time.GetUtcNow();
        var answers = new JsonArray();
        foreach (var token in tokens.Select(t => t!.GetValue<string>()))
        {
            var found = state.FindUserToken(token);
            answers.Add(found is null || !string.Equals(found.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase)
                ? new JsonObject { ["user_token"] = token, ["active"] = false, ["token_issued"] = null, ["token_expiration"] = null }
                : new JsonObject
                {
                    ["user_token"] = found.Token,
                    ["active"] = found.IsActive(now),
                    ["token_issued"] = found.IssuedAt.ToUnixTimeSeconds(),
                    ["token_expiration"] = found.ExpiresAt.ToUnixTimeSeconds(),
                });
        }

        return Results.Json(new JsonObject { ["tokens"] = answers });
    }
}
