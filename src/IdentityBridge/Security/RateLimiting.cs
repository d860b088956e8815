using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.RateLimiting;
using IdentityBridge.Configuration;

namespace IdentityBridge.Security;

/// <summary>
/// Fixed-window limits on the authorize, token, CIBA, admin and webhook endpoints: one budget per remote address
/// (Bridge:RateLimits:PermitsPerMinute) and one per client (Bridge:RateLimits:PermitsPerMinutePerClient; client
/// id from the query or HTTP Basic credentials), chained. Rejections are 429 with Retry-After.
/// </summary>
/// <remarks>
/// The client partition counts requests that merely name a client: authenticating the client here would cost a
/// database read and a secret hash before the limit is applied, which is what the limiter is meant to spare.
/// Instead the client budget is larger than the address budget (ten times by default), so one address, held to
/// its own budget, cannot use up a client's budget; starving a client takes many addresses at once.
/// </remarks>
public static class RateLimiting
{
    private static readonly string[] LimitedPrefixes = ["/connect/authorize", "/connect/token", "/connect/ciba", "/admin", "/xumm/webhook"];

    public static IServiceCollection AddBridgeRateLimiting(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                ctx.HttpContext.Response.ContentType = "application/json";
                return new ValueTask(ctx.HttpContext.Response.WriteAsync(
                    """{"error":"slow_down","error_description":"Too many requests; retry later."}""", ctx.HttpContext.RequestAborted));
            };
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Limiter(options, options.PermitsPerMinute, ctx => "ip:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown")),
                Limiter(options, options.PermitsPerMinutePerClient, ctx => ClientId(ctx) is { } id ? "client:" + id : null));
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(RateLimitOptions options, int permitsPerMinute, Func<HttpContext, string?> key) =>
        PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
        {
            if (!options.Enabled || !IsLimited(ctx.Request.Path) || key(ctx) is not { } k)
                return RateLimitPartition.GetNoLimiter("none");
            return RateLimitPartition.GetFixedWindowLimiter(k, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });

    private static bool IsLimited(PathString path)
    {
        foreach (var prefix in LimitedPrefixes)
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string? ClientId(HttpContext ctx)
    {
        var fromQuery = ctx.Request.Query["client_id"].ToString();
        if (fromQuery.Length is > 0 and <= 200) return fromQuery;
        if (AuthenticationHeaderValue.TryParse(ctx.Request.Headers.Authorization, out var auth) &&
            string.Equals(auth.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) && auth.Parameter is { Length: <= 1024 } p)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(p));
                var colon = decoded.IndexOf(':');
                if (colon > 0) return Uri.UnescapeDataString(decoded[..colon]);
            }
            catch (FormatException)
            {
                // Malformed credentials: the token endpoint answers invalid_client; limit by address only.
            }
        }
        return null;
    }
}
