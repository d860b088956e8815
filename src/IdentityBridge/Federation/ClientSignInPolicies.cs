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
        ProvisioningMode? provisioning = Enum.TryParse<ProvisioningMode>(client.Provisioning, ignoreCase: true, out var mode) ? mode : null;
        return new(client.ClientId, XummIdentityRules.NormalizeNetwork(client.RequiredNetwork), provisioning);
    }
}
