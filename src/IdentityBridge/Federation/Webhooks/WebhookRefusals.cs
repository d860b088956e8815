namespace IdentityBridge.Federation.Webhooks;

/// <summary>
/// Decides which refused webhook calls are written to the audit trail. A call whose signature does not verify
/// proves nothing about its sender, and anyone can send many: the first <see cref="AuditedPerWindow"/> of each
/// minute are audited (actor <c>anonymous</c>, with the number left out since the last audited one), the rest are
/// only counted. Each node counts for itself.
/// </summary>
public sealed class WebhookRefusals(TimeProvider time)
{
    public const int AuditedPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _auditedInWindow;
    private long _unaudited;

    /// <summary>
    /// Whether this refusal is audited; when it is, <paramref name="unaudited"/> is how many refusals were only
    /// counted since the previous audited one.
    /// </summary>
    public bool ShouldAudit(out long unaudited)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (now - _windowStart >= Window || now < _windowStart)
            {
                _windowStart = now;
                _auditedInWindow = 0;
            }
            if (_auditedInWindow >= AuditedPerWindow)
            {
                _unaudited++;
                unaudited = 0;
                return false;
            }
            _auditedInWindow++;
            unaudited = _unaudited;
            _unaudited = 0;
            return true;
        }
    }
}
