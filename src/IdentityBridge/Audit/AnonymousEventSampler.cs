namespace IdentityBridge.Audit;

/// <summary>
/// Decides which events of callers that proved nothing about themselves are written to the audit trail: refused
/// unsigned webhook deliveries, sign-in callbacks whose state this bridge never issued. Anyone can send many of
/// those, so of each kind the first <see cref="AuditedPerWindow"/> of each minute are audited (actor
/// <c>anonymous</c>, with the number left out since the last audited one), the rest are only counted. Each node
/// counts for itself.
/// </summary>
public sealed class AnonymousEventSampler(TimeProvider time)
{
    public const int AuditedPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Counter> _kinds = new(StringComparer.Ordinal);

    private sealed class Counter
    {
        public DateTimeOffset WindowStart = DateTimeOffset.MinValue;
        public int AuditedInWindow;
        public long Unaudited;
    }

    /// <summary>
    /// Whether this event of <paramref name="kind"/> (a fixed name chosen by the caller, never caller input) is
    /// audited; when it is, <paramref name="unaudited"/> is how many of that kind were only counted since the
    /// previous audited one.
    /// </summary>
    public bool ShouldAudit(string kind, out long unaudited)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_kinds.TryGetValue(kind, out var counter)) _kinds[kind] = counter = new Counter();
            if (now - counter.WindowStart >= Window || now < counter.WindowStart)
            {
                counter.WindowStart = now;
                counter.AuditedInWindow = 0;
            }
            if (counter.AuditedInWindow >= AuditedPerWindow)
            {
                counter.Unaudited++;
                unaudited = 0;
                return false;
            }
            counter.AuditedInWindow++;
            unaudited = counter.Unaudited;
            counter.Unaudited = 0;
            return true;
        }
    }
}
