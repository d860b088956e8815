using System.Collections.Concurrent;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// In-process notice that a sign-in request changed state on this node: the payload follower stops
/// following a request resolved some other way (webhook, polling), and callers can await a change.
/// </summary>
public sealed class SignInSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _waiters = new(StringComparer.Ordinal);

    /// <summary>Completes with the new status at the next change of request <paramref name="id"/> on this node.</summary>
    public Task<string> NextChangeAsync(string id) =>
        _waiters.GetOrAdd(id, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Publish(string id, string status)
    {
        if (_waiters.TryRemove(id, out var waiter)) waiter.TrySetResult(status);
    }
}
