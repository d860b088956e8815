using System.Collections.Concurrent;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// The (session, client) pairs this node knows to be recorded in <c>session_clients</c>. A recorded pair
/// stays until its session row is deleted, and no session id is ever reused, so a pair remembered here
/// spares the look-up on every later login of the same client in the same session. Forgetting is always
/// safe (the look-up runs again); the memory is emptied when it reaches its bound.
/// </summary>
public sealed class RecordedSessionClients
{
    internal const int Capacity = 50_000;

    private readonly ConcurrentDictionary<(string SessionId, string ClientId), byte> _pairs = new();
    private int _count;

    public bool Contains(string sessionId, string clientId) => _pairs.ContainsKey((sessionId, clientId));

    public void Add(string sessionId, string clientId)
    {
        if (!_pairs.TryAdd((sessionId, clientId), 0)) return;
        if (Interlocked.Increment(ref _count) <= Capacity) return;
        _pairs.Clear();
        Interlocked.Exchange(ref _count, 0);
    }
}
