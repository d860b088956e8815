using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XummSimulator.Internal;

namespace XummSimulator.Platform;

/// <summary>The platform REST API under <c>/api/v1/platform</c>.</summary>
internal static class PlatformEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.AddEndpointFilter(PlatformRequest.FilterAsync);
        group.MapGet("/ping", Ping);
        PayloadEndpoints.Map(group);
        group.MapGet("/xapp/ott/{token}", XAppEndpoints.ResolveOneTimeToken);
        group.MapPost("/user-tokens", UserTokenEndpoints.Check).DisableAntiforgery();
    }

    private static IResult Ping(HttpContext context)
    {
        var app = PlatformRequest.App(context);
        return Results.Json(new JsonObject
        {
            ["pong"] = true,
            ["auth"] = new JsonObject
            {
                ["quota"] = new JsonObject(),
                ["application"] = new JsonObject
                {
                    ["uuidv4"] = app.ApiKey,
                    ["name"] = app.Name,
                    ["webhookurl"] = app.WebhookUrl ?? "",
                    ["disabled"] = app.Disabled ? 1 : 0,
                },
                ["call"] = new JsonObject { ["uuidv4"] = RandomIds.NewUuidV4() },
            },
        });
    }

    /// <summary>Reads the request body as JSON; null when it is not JSON.</summary>
    public static async Task<(JsonNode? Body, bool Valid)> ReadJsonAsync(HttpContext context)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return (node, true);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }
}
