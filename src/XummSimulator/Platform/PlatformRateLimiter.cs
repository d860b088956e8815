namespace XummSimulator.Platform;

/// <summary>Fixed one-minute windows per bucket (an API key, or an API key's payload creations).</summary>
internal sealed class PlatformRateLimiter(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts one call; tells whether it is within <paramref name="limit"/> and what remains.</summary>
    public RateDecision Take(string bucket, int limit)
    {
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % Window.Ticks), TimeSpan.Zero);
        lock (_gate)
        {
            var count = _windows.TryGetValue(bucket, out var window) && window.Start == start ? window.Count : 0;
            var retryAfter = start + Window - now;
            if (count >= limit)
            {
                return new RateDecision(false, limit, 0, retryAfter);
            }

            _windows[bucket] = (start, count + 1);
            return new RateDecision(true, limit, limit - count - 1, retryAfter);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _windows.Clear();
        }
    }
}

internal readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, TimeSpan RetryAfter)
{
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}
