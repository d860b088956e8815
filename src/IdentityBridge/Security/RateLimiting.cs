using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.RateLimiting;
using IdentityBridge.Configuration;

namespace IdentityBridge.Security;

/// <summary>
/// Fixed-window limits on the authorize, token, CIBA, admin and webhook endpoints: one budget per remote address
/// (Bridge:RateLimits:PermitsPerMinute) and one per client (Bridge:RateLimits:PermitsPerMinutePerClient; client
/// id from the query or HTTP Basic credentials), chained. The routes that start a sign-in with Xumm (and so spend
/// the application's small payload quota at Xumm) have a much smaller budget per address of their own
/// (Bridge:RateLimits:SignInsPerMinute). Rejections are 429 with Retry-After.
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

    /// <summary>
    /// Routes that start a sign-in: a new payload (the POST of the QR and push start forms; their GET only shows the
    /// form) or an xApp token resolved at Xumm (GET). Not their pages or status polls.
    /// </summary>
    private static readonly (string Path, bool PostOnly)[] SignInStarts = [("/signin/qr", true), ("/signin/push", true), ("/xapp", false)];

    public static IServiceCollection AddBridgeRateLimiting(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, _) =>
            {
                var http = ctx.HttpContext;
                var retry = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                if (IsSignInStart(http.Request))
                {
                    // A browser page: say it in words.
                    http.Response.ContentType = "text/html; charset=utf-8";
                    return new ValueTask(http.Response.WriteAsync(ErrorPage.Render("Too many sign-ins",
                        "Too many sign-ins were started from your network. Please wait a minute and try again.", http.TraceIdentifier), http.RequestAborted));
                }
                http.Response.ContentType = "application/json";
                return new ValueTask(http.Response.WriteAsync(
                    """{"error":"slow_down","error_description":"Too many requests; retry later."}""", http.RequestAborted));
            };
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Limiter(options, options.PermitsPerMinute, ctx => IsLimited(ctx.Request.Path) ? "ip:" + Address(ctx) : null),
                Limiter(options, options.PermitsPerMinutePerClient, ctx => IsLimited(ctx.Request.Path) && ClientId(ctx) is { } id ? "client:" + id : null),
                Limiter(options, options.SignInsPerMinute, ctx => IsSignInStart(ctx.Request) ? "signin:" + Address(ctx) : null));
        });
        services.AddSingleton<WalletPushBudget>();
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(RateLimitOptions options, int permitsPerMinute, Func<HttpContext, string?> key) =>
        PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
        {
            if (!options.Enabled || key(ctx) is not { } k)
                return RateLimitPartition.GetNoLimiter("none");
            return RateLimitPartition.GetFixedWindowLimiter(k, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });

    private static string Address(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static bool IsSignInStart(HttpRequest request)
    {
        foreach (var (start, postOnly) in SignInStarts)
            if (request.Path.StartsWithSegments(start, StringComparison.OrdinalIgnoreCase, out var rest) && (!rest.HasValue || rest.Value == "/"))
                return !postOnly || HttpMethods.IsPost(request.Method);
        return false;
    }

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

/// <summary>
/// How many push sign-ins one wallet may receive (Bridge:RateLimits:PushesPerWalletPerHour, a sliding hour; off with
/// the other limits). A push asks a person to approve something on their phone: too many of them wear the person
/// down until one is approved by mistake. Beyond the budget the sign-in falls back to a QR code, which needs the
/// person at the browser. Each node counts for itself.
/// </summary>
public sealed class WalletPushBudget : IDisposable
{
    private readonly bool _enabled;
    private readonly PartitionedRateLimiter<string> _limiter;

    public WalletPushBudget(Microsoft.Extensions.Options.IOptions<BridgeOptions> options)
    {
        var limits = options.Value.RateLimits;
        _enabled = limits.Enabled;
        _limiter = PartitionedRateLimiter.Create<string, string>(wallet => RateLimitPartition.GetSlidingWindowLimiter(wallet, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limits.PushesPerWalletPerHour,
            Window = TimeSpan.FromHours(1),
            SegmentsPerWindow = 12,
            QueueLimit = 0,
        }));
    }

    /// <summary>Takes one push from <paramref name="wallet"/>'s budget; false when it is spent.</summary>
    public bool TryTake(string wallet)
    {
        if (!_enabled) return true;
        using var lease = _limiter.AttemptAcquire(wallet);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
