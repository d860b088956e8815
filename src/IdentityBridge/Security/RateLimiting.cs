using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.RateLimiting;
using IdentityBridge.Configuration;

namespace IdentityBridge.Security;

/// <summary>
/// Fixed-window limits on the authorize, token, pushed authorization, CIBA, admin and webhook endpoints: one budget per remote address
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
    private static readonly string[] LimitedPrefixes = ["/connect/authorize", "/connect/token", "/connect/par", "/connect/ciba", "/admin", "/xumm/webhook"];

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
        services.AddSingleton<BrowserPayloadBudget>();
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
        // The client_id parameter as the endpoints read it: by its exact name (RFC 6749 §3.1), not CLIENT_ID.
        if (IdentityBridge.Provider.Protocol.OAuthParameters.FromQuery(ctx.Request)["client_id"] is { Length: <= 200 } fromQuery) return fromQuery;
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

/// <summary>A sliding-window budget per key, off with the other limits (Bridge:RateLimits:Enabled). Each node counts for itself.</summary>
public abstract class SlidingWindowBudget : IDisposable
{
    private readonly bool _enabled;
    private readonly PartitionedRateLimiter<string> _limiter;

    protected SlidingWindowBudget(bool enabled, int permits, TimeSpan window)
    {
        _enabled = enabled;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            SegmentsPerWindow = 12,
            QueueLimit = 0,
        }));
    }

    /// <summary>Takes one from <paramref name="key"/>'s budget; false when it is spent.</summary>
    protected bool TryTakeFrom(string key)
    {
        if (!_enabled) return true;
        using var lease = _limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// How many push sign-ins one wallet may receive (Bridge:RateLimits:PushesPerWalletPerHour, a sliding hour). A push
/// asks a person to approve something on their phone: too many of them wear the person down until one is approved
/// by mistake. Beyond the budget the sign-in falls back to a QR code, which needs the person at the browser.
/// </summary>
public sealed class WalletPushBudget(Microsoft.Extensions.Options.IOptions<BridgeOptions> options)
    : SlidingWindowBudget(options.Value.RateLimits.Enabled, options.Value.RateLimits.PushesPerWalletPerHour, TimeSpan.FromHours(1))
{
    /// <summary>Takes one push from <paramref name="wallet"/>'s budget; false when it is spent.</summary>
    public bool TryTake(string wallet) => TryTakeFrom(wallet);
}

/// <summary>
/// How many payloads browser sign-ins may create per minute, all addresses together
/// (Bridge:RateLimits:BrowserPayloadsPerMinute, a sliding minute). Xumm allows the whole application about 30
/// payload creations a minute; anonymous browsers from many addresses could otherwise spend all of them, and
/// back-channel sign-ins (CIBA), which registered clients start, would fail. Those do not count here, so the rest
/// of the quota stays theirs.
/// </summary>
public sealed class BrowserPayloadBudget(Microsoft.Extensions.Options.IOptions<BridgeOptions> options)
    : SlidingWindowBudget(options.Value.RateLimits.Enabled, options.Value.RateLimits.BrowserPayloadsPerMinute, TimeSpan.FromMinutes(1))
{
    /// <summary>Takes one payload from the browsers' budget; false when it is spent.</summary>
    public bool TryTake() => TryTakeFrom("browser");
}
