using System.Collections.Concurrent;
using IdentityBridge.Xumm;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// Keeps polling of one payload polite: at most one GET /payload per <see cref="PayloadSignInOptions.PollInterval"/>
/// (never faster than 3 s) per payload on this node, and none while the platform's rate limit holds calls back.
/// Event-driven looks (webhook, websocket resolution) do not pass through here.
/// </summary>
public sealed class PayloadPollGate(XummRateLimitState rateLimit, IOptions<PayloadSignInOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastLook = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Payloads whose last look is remembered on this node.</summary>
    internal int Count => _lastLook.Count;

    /// <summary>True (and the look is recorded) when a poll of <paramref name="payloadUuid"/> is due now.</summary>
    public bool TryEnter(string payloadUuid)
    {
        var now = time.GetUtcNow();
        if (rateLimit.HoldRemaining(now) > TimeSpan.Zero) return false;
        var interval = options.Value.PollInterval < PayloadSignInOptions.MinimumPollInterval ? PayloadSignInOptions.MinimumPollInterval : options.Value.PollInterval;
        while (true)
        {
            if (!_lastLook.TryGetValue(payloadUuid, out var last))
            {
                if (_lastLook.TryAdd(payloadUuid, now)) return true;
                continue;
            }
            if (now - last < interval) return false;
            if (_lastLook.TryUpdate(payloadUuid, now, last)) return true;
        }
    }

    /// <summary>Records a look made outside the gate (it counts towards the interval).</summary>
    public void Looked(string payloadUuid) => _lastLook[payloadUuid] = time.GetUtcNow();

    /// <summary>Forgets a payload that no longer needs looking at.</summary>
    public void Forget(string payloadUuid) => _lastLook.TryRemove(payloadUuid, out _);
}
