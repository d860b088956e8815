using Microsoft.Extensions.Logging;

namespace IdentityBridge.Xumm;

/// <summary>Log events of the platform client. Operations are named, never their URLs (tokens ride in paths).</summary>
internal static partial class XummPlatformLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Xumm {Operation} attempt {Attempt} failed ({Kind}, status {Status}); retrying in {Delay}.")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, XummErrorKind kind, int? status, TimeSpan delay);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning,
        Message = "Xumm {Operation} failed ({Kind}, status {Status}, code {UpstreamCode}): {Description}")]
    public static partial void Failed(ILogger logger, string operation, XummErrorKind kind, int? status, string? upstreamCode, string description);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information,
        Message = "Xumm {Operation} waits {Wait} for the platform rate limit to lift.")]
    public static partial void WaitingForRateLimit(ILogger logger, string operation, TimeSpan wait);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning,
        Message = "Xumm {Operation} refused locally: rate limited for another {Wait}.")]
    public static partial void RateLimitedFailFast(ILogger logger, string operation, TimeSpan wait);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning,
        Message = "Xumm rate limit reached (limit {Limit}); holding calls for {Hold}.")]
    public static partial void RateLimitReached(ILogger logger, int? limit, TimeSpan hold);
}
