using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace IdentityBridge.Xumm;

/// <summary>
/// Rate-limit figures shared by every <see cref="XummPlatformClient"/> of one application (the platform counts
/// per API key). Updated from the headers of every answer; a 429 or an exhausted quota sets a hold that calls
/// respect instead of hammering the platform. Holds only expire with time, so a late answer to an older call
/// cannot lift a newer hold.
/// </summary>
public sealed class XummRateLimitState
{
    private const string LimitHeader = "X-RateLimit-Limit";
    private const string RemainingHeader = "X-RateLimit-Remaining";
    private const string ResetHeader = "X-RateLimit-Reset";

    // Values of X-RateLimit-Reset above this are absolute unix times, below it a number of seconds.
    private const long AbsoluteResetThreshold = 1_000_000_000;

    private readonly Lock _gate = new();
    private XummRateLimitSnapshot _current = new(null, null, null, null);

    /// <summary>The figures as last reported.</summary>
    public XummRateLimitSnapshot Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>How long calls must still hold back at <paramref name="now"/>; zero when free to go.</summary>
    public TimeSpan HoldRemaining(DateTimeOffset now)
    {
        var blockedUntil = Current.BlockedUntil;
        return blockedUntil is { } until && until > now ? until - now : TimeSpan.Zero;
    }

    /// <summary>Reads the rate-limit headers of an answer; returns the hold it caused, if any.</summary>
    internal TimeSpan? Observe(HttpResponseMessage response, DateTimeOffset now, TimeSpan defaultCooldown)
    {
        var limit = ReadInt(response.Headers, LimitHeader);
        var remaining = ReadInt(response.Headers, RemainingHeader);
        var tooMany = response.StatusCode == HttpStatusCode.TooManyRequests;

        TimeSpan? hold = null;
        if (tooMany || remaining == 0)
        {
            hold = RetryAfter(response.Headers.RetryAfter, now) ?? Reset(response.Headers, now) ?? defaultCooldown;
        }

        lock (_gate)
        {
            var blockedUntil = _current.BlockedUntil;
            if (hold is { } wait && (blockedUntil is null || now + wait > blockedUntil))
            {
                blockedUntil = now + wait;
            }

            _current = new XummRateLimitSnapshot(
                limit ?? _current.Limit,
                remaining ?? _current.Remaining,
                blockedUntil,
                now);
        }

        return hold;
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static TimeSpan? Reset(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (!headers.TryGetValues(ResetHeader, out var values)
            || !long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var reset)
            || reset > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return null;
        }

        if (reset < AbsoluteResetThreshold)
        {
            return TimeSpan.FromSeconds(reset);
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(reset);
        return at > now ? at - now : TimeSpan.Zero;
    }

    private static int? ReadInt(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
