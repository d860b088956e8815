using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace EnterpriseApp.Authentication;

/// <summary>
/// Server-side storage of the local sessions (the cookie holds only a key), indexed by the bridge's session id
/// (<c>sid</c>) and subject, so that a back-channel logout can end the matching sessions at once. In memory:
/// one process, sessions end when it restarts.
/// </summary>
public sealed class LocalSessionStore(TimeProvider time) : ITicketStore
{
    private readonly ConcurrentDictionary<string, AuthenticationTicket> _tickets = new(StringComparer.Ordinal);

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        RemoveExpired();
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        _tickets[key] = ticket;
        return Task.FromResult(key);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        _tickets[key] = ticket;
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (!_tickets.TryGetValue(key, out var ticket)) return Task.FromResult<AuthenticationTicket?>(null);
        if (ticket.Properties.ExpiresUtc is { } expires && expires <= time.GetUtcNow())
        {
            _tickets.TryRemove(key, out _);
            return Task.FromResult<AuthenticationTicket?>(null);
        }
        return Task.FromResult<AuthenticationTicket?>(ticket);
    }

    public Task RemoveAsync(string key)
    {
        _tickets.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <summary>Ends every local session of the bridge session <paramref name="sid"/>; how many ended.</summary>
    public int EndBySessionId(string sid) => EndWhere(t => t.Principal.FindFirst(BridgeClaims.SessionId)?.Value == sid);

    /// <summary>Ends every local session of the subject (a logout token without sid).</summary>
    public int EndBySubject(string subject) => EndWhere(t => t.Principal.FindFirst(BridgeClaims.Subject)?.Value == subject);

    /// <summary>The number of live local sessions.</summary>
    public int Count => _tickets.Count;

    private int EndWhere(Func<AuthenticationTicket, bool> match)
    {
        var ended = 0;
        foreach (var (key, ticket) in _tickets)
            if (match(ticket) && _tickets.TryRemove(key, out _))
                ended++;
        return ended;
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (key, ticket) in _tickets)
            if (ticket.Properties.ExpiresUtc is { } expires && expires <= now)
                _tickets.TryRemove(key, out _);
    }
}

