using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Authorize;

/// <summary>Remembered consent per account and client: the union of the scopes the user allowed so far.</summary>
public sealed class ConsentStore(IDbContextFactory<BridgeDbContext> factory, TimeProvider time)
{
    /// <summary>True when every requested scope was allowed before.</summary>
    public async Task<bool> CoversAsync(string accountId, string clientId, IEnumerable<string> scopes, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.Consents.AsNoTracking().FirstOrDefaultAsync(c => c.AccountId == accountId && c.ClientId == clientId, ct);
        if (row is null) return false;
        var granted = row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return scopes.All(granted.Contains);
    }

    public async Task GrantAsync(string accountId, string clientId, IEnumerable<string> scopes, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.Consents.FirstOrDefaultAsync(c => c.AccountId == accountId && c.ClientId == clientId, ct);
        var now = time.GetUtcNow();
        if (row is null)
        {
            db.Consents.Add(new Consent { AccountId = accountId, ClientId = clientId, Scopes = Normalize(scopes), GrantedAt = now });
        }
        else
        {
            row.Scopes = Normalize(row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(scopes));
            row.GrantedAt = now;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Given twice at once: the other request stored it.
        }
    }

    /// <summary>Forgets a consent (the user or an administrator withdrew it).</summary>
    public async Task RevokeAsync(string accountId, string clientId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Consents.Where(c => c.AccountId == accountId && c.ClientId == clientId).ExecuteDeleteAsync(ct);
    }

    private static string Normalize(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
