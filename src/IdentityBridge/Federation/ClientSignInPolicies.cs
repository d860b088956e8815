using IdentityBridge.Accounts;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Federation;

/// <summary>How one client wants its users signed in: a pinned network and a provisioning override.</summary>
public sealed record ClientSignInPolicy(string ClientId, string? RequiredNetwork, ProvisioningMode? Provisioning);

/// <summary>Reads <see cref="ClientSignInPolicy"/> from the registered clients.</summary>
public sealed class ClientSignInPolicies(BridgeDbContext db)
{
    public async Task<ClientSignInPolicy?> FindAsync(string clientId, CancellationToken ct = default)
    {
        var client = await db.Clients.AsNoTracking()
            .Where(c => c.ClientId == clientId && c.Enabled)
            .Select(c => new { c.ClientId, c.RequiredNetwork, c.Provisioning })
            .FirstOrDefaultAsync(ct);
        if (client is null) return null;
        return new(client.ClientId, XummIdentityRules.NormalizeNetwork(client.RequiredNetwork), ProvisioningRules.Parse(client.Provisioning));
    }

    /// <summary>
    /// <paramref name="clientId"/> when a client is registered under it (enabled or not), else null: a client id
    /// read from a return URL is anyone's text and is recorded only when it names a client.
    /// </summary>
    public async Task<string?> RegisteredIdAsync(string? clientId, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > MaxClientIdLength) return null;
        return await db.Clients.AsNoTracking().Where(c => c.ClientId == clientId).Select(c => c.ClientId).FirstOrDefaultAsync(ct);
    }

    private const int MaxClientIdLength = 200;
}
