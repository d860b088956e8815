using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace XummSimulator.Platform;

/// <summary>
/// In front of every platform call: rate-limit headers (and 429 beyond the limit), then the
/// <c>x-api-key</c> / <c>x-api-secret</c> check. The authenticated app is left in the request items.
/// </summary>
internal static class PlatformRequest
{
    private const string AppItem = "XummSimulator.App";

    public static XummSimulatorApp App(HttpContext context) => (XummSimulatorApp)context.Items[AppItem]!;

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var state = context.RequestServices.GetRequiredService<XummSimulatorState>();
        var limiter = context.RequestServices.GetRequiredService<PlatformRateLimiter>();

        var apiKey = context.Request.Headers["x-api-key"].ToString();
        var decision = limiter.Take("calls:" + apiKey, state.Options.ApiCallsPerMinute);
        WriteRateHeaders(context, decision);
        if (!decision.Allowed)
        {
            return TooMany(context, decision);
        }

        var app = state.FindApp(apiKey);
        var secret = context.Request.Headers["x-api-secret"].ToString();
        if (app is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(app.ApiSecret)))
        {
            return PlatformError.Result(StatusCodes.Status401Unauthorized, PlatformError.InvalidCredentials, "Invalid API key and/or secret.");
        }

        if (app.Disabled)
        {
            return PlatformError.Result(StatusCodes.Status403Forbidden, 403, "This application is disabled.");
        }

        context.Items[AppItem] = app;
        return await next(invocation);
    }

    public static void WriteRateHeaders(HttpContext context, RateDecision decision)
    {
        context.Response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
    }

    public static IResult TooMany(HttpContext context, RateDecision decision)
    {
        context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return PlatformError.Result(StatusCodes.Status429TooManyRequests, 429, "Too many requests, slow down.");
    }
}
