using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using XummSimulator.Internal;

namespace XummSimulator.Platform;

/// <summary>Create, read and cancel payloads.</summary>
internal static class PayloadEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/payload", Create).DisableAntiforgery();
        group.MapGet("/payload/{uuid}", Get);
        group.MapGet("/payload/ci/{identifier}", GetByIdentifier);
        group.MapDelete("/payload/{uuid}", Cancel);
    }

    private static async Task<IResult> Create(HttpContext context, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var limiter = context.RequestServices.GetRequiredService<PlatformRateLimiter>();
        var decision = limiter.Take("payloads:" + app.ApiKey, state.Options.PayloadCreationsPerMinute);
        PlatformRequest.WriteRateHeaders(context, decision);
        if (!decision.Allowed)
        {
            return PlatformRequest.TooMany(context, decision);
        }

        var (body, valid) = await PlatformEndpoints.ReadJsonAsync(context);
        if (!valid)
        {
            return PlatformError.BadRequest("The body is not valid JSON.");
        }

        var (draft, error) = PayloadDraftParser.Parse(body);
        if (draft is null)
        {
            return PlatformError.BadRequest(error!);
        }

        var payload = state.CreatePayload(app, draft);
        return Results.Json(PayloadJson.Created(payload, SimulatorUrls.For(context, state.Options)));
    }

    private static IResult Get(HttpContext context, string uuid, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var payload = state.FindPayload(uuid);
        if (payload is null || !string.Equals(payload.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase))
        {
            return PlatformError.NotFound("Payload not found.");
        }

        return Results.Json(state.WithLock(() => PayloadJson.Full(payload, app, state.Time.GetUtcNow())));
    }

    private static IResult GetByIdentifier(HttpContext context, string identifier, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var payload = state.Payloads().LastOrDefault(p =>
            string.Equals(p.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase)
            && string.Equals(p.Draft.CustomIdentifier, identifier, StringComparison.Ordinal));
        return payload is null
            ? PlatformError.NotFound("Payload not found.")
            : Results.Json(state.WithLock(() => PayloadJson.Full(payload, app, state.Time.GetUtcNow())));
    }

    private static IResult Cancel(HttpContext context, string uuid, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var payload = state.FindPayload(uuid);
        if (payload is null || !string.Equals(payload.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase))
        {
            return PlatformError.NotFound("Payload not found.");
        }

        var reason = state.Cancel(uuid)!;
        return Results.Json(state.WithLock(() => new JsonObject
        {
            ["result"] = new JsonObject { ["cancelled"] = reason == "OK", ["reason"] = reason },
            ["meta"] = PayloadJson.Meta(payload, state.Time.GetUtcNow()),
            ["custom_meta"] = PayloadJson.CustomMeta(payload),
        }));
    }
}
