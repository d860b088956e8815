using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace IdentityBridge.Provider.Clients;

/// <summary>
/// Clients by id, cached in memory for a short time so client look-ups stay off the database on the
/// hot path. The admin module calls <see cref="Invalidate"/> after changing a client; other nodes see
/// the change when their cache entry expires (at most <see cref="CacheLifetime"/>).
/// </summary>
public sealed class ClientStore(IDbContextFactory<BridgeDbContext> factory, IMemoryCache cache)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const string Prefix = "bridge.client:";

    /// <summary>The client, or null when it does not exist. Disabled clients are returned: callers check <see cref="RegisteredClient.Enabled"/>.</summary>
    public async Task<RegisteredClient?> FindAsync(string? clientId, CancellationToken ct = default)
    {
        // No client can have an id outside the registration syntax: such a value (a NUL byte, which PostgreSQL
        // refuses in text, or any other junk) is answered without asking the database, and is not cached.
        if (!Admin.Services.ClientRules.IsValidClientId(clientId)) return null;
        if (cache.TryGetValue(Prefix + clientId, out RegisteredClient? cached)) return cached;
        await using var db = await factory.CreateDbContextAsync(ct);
        var entity = await db.Clients.AsNoTracking().Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        var client = entity is null ? null : RegisteredClient.From(entity);
        cache.Set(Prefix + clientId, client, CacheLifetime);
        return client;
    }

    /// <summary>An enabled client, or null.</summary>
    public async Task<RegisteredClient?> FindEnabledAsync(string? clientId, CancellationToken ct = default) =>
        await FindAsync(clientId, ct) is { Enabled: true } client ? client : null;

    /// <summary>Drops the cached copy of a client on this node (after an admin change).</summary>
    public void Invalidate(string clientId) => cache.Remove(Prefix + clientId);
}
