using System.Text.Json;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Clients;

/// <summary>
/// Upserts the clients declared in <c>Bridge:Clients</c>, so a deployment can be declared as code.
/// A declared secret is hashed; it replaces the stored secrets only when it differs from all of them. A client
/// declared public keeps no secret at all: one an administrator gave it meanwhile is removed, or it would
/// authenticate again as soon as the client were switched back to a secret-based method.
/// </summary>
public sealed class ClientImporter(BridgeDbContext db, TimeProvider time, ILogger<ClientImporter> logger)
{
    /// <param name="storeIsEmpty">
    /// The caller has just created the schema, so no client is stored: the declarations are added without
    /// first reading what is stored (on a first start, that read's query would be compiled for nothing).
    /// </param>
    public async Task<int> ImportAsync(IEnumerable<ClientDefinition> definitions, CancellationToken ct = default, bool storeIsEmpty = false)
    {
        var declared = definitions.ToList();
        if (declared.Count == 0) return 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportOnceAsync(declared, storeIsEmpty && attempt == 1, ct);
            }
            catch (DbUpdateException ex) when (attempt < 3 && (ex is DbUpdateConcurrencyException || DatabaseErrors.IsUniqueViolation(ex, "clients")))
            {
                // Another node starting at the same moment stored the same declarations first (or an administrator
                // changed one of these clients meanwhile): read again, and apply the declarations over that.
                logger.LogInformation("Declared clients were changed by another writer during the import; importing again");
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<int> ImportOnceAsync(List<ClientDefinition> declared, bool storeIsEmpty, CancellationToken ct)
    {
        // Every restart imports the same declarations: when nothing differs, a read answers it, without
        // loading the clients into the change tracker (whose first use costs start-up time).
        var stored = storeIsEmpty ? [] : await StoredAsync(declared, ct);
        if (!storeIsEmpty && AllUnchanged(declared, stored)) return declared.Count;

        var count = 0;
        foreach (var d in declared)
        {
            var now = time.GetUtcNow();
            // A client the read did not find is new (a first start): no need to look for it again.
            var client = stored.ContainsKey(d.ClientId)
                ? await db.Clients.Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == d.ClientId, ct)
                : db.Clients.Local.FirstOrDefault(c => c.ClientId == d.ClientId);
            if (client is null)
            {
                client = new Client { ClientId = d.ClientId, ClientName = d.ClientName ?? d.ClientId, CreatedAt = now };
                db.Clients.Add(client);
            }
            Apply(d, client, now);
            if (d.ClientType == ClientTypes.Public) client.Secrets.Clear();
            if (!string.IsNullOrEmpty(d.ClientSecret) && !client.Secrets.Any(s => ClientSecretHasher.Verify(d.ClientSecret, s.Hash)))
            {
                client.Secrets.Clear();
                client.Secrets.Add(new ClientSecret { ClientId = d.ClientId, Hash = ClientSecretHasher.Hash(d.ClientSecret), Description = "from configuration", CreatedAt = now });
            }
            count++;
        }
        await db.SaveChangesAsync(ct);
        if (count > 0) logger.LogInformation("Imported {Count} client(s) from configuration", count);
        return count;
    }

    /// <summary>The declared clients already stored, untracked, by client_id.</summary>
    private async Task<Dictionary<string, Client>> StoredAsync(List<ClientDefinition> declared, CancellationToken ct)
    {
        var ids = declared.Select(d => d.ClientId).ToList();
        return await db.Clients.AsNoTracking().Include(c => c.Secrets).Where(c => ids.Contains(c.ClientId)).ToDictionaryAsync(c => c.ClientId, ct);
    }

    private bool AllUnchanged(List<ClientDefinition> declared, Dictionary<string, Client> stored)
    {
        var properties = db.Model.FindEntityType(typeof(Client))!.GetProperties().Select(p => p.PropertyInfo).OfType<System.Reflection.PropertyInfo>().ToList();
        foreach (var d in declared)
        {
            if (!stored.TryGetValue(d.ClientId, out var current)) return false;
            if (!string.IsNullOrEmpty(d.ClientSecret) && !current.Secrets.Any(s => ClientSecretHasher.Verify(d.ClientSecret, s.Hash))) return false;
            if (d.ClientType == ClientTypes.Public && current.Secrets.Count > 0) return false;
            // What the import would write, compared column by column with what is stored.
            var wanted = new Client { ClientId = current.ClientId, ClientName = current.ClientName };
            foreach (var property in properties) property.SetValue(wanted, property.GetValue(current));
            Apply(d, wanted, current.UpdatedAt);
            if (properties.Any(p => !Equals(p.GetValue(wanted), p.GetValue(current)))) return false;
        }
        return true;
    }

    internal static void Apply(ClientDefinition d, Client c, DateTimeOffset now)
    {
        c.ClientName = d.ClientName ?? d.ClientId;
        c.ClientType = d.ClientType;
        c.RedirectUris = JsonSerializer.Serialize(d.RedirectUris);
        c.PostLogoutRedirectUris = JsonSerializer.Serialize(d.PostLogoutRedirectUris);
        c.AllowedScopes = string.Join(' ', d.EffectiveScopes.Distinct());
        c.AllowedGrantTypes = string.Join(' ', d.EffectiveGrantTypes.Distinct());
        c.RequirePkce = d.ClientType == ClientTypes.Public || d.RequirePkce;
        c.RequireConsent = d.RequireConsent;
        c.TokenEndpointAuthMethod = d.TokenEndpointAuthMethod ?? (d.ClientType == ClientTypes.Public ? "none" : "client_secret_basic");
        c.JwksJson = d.Jwks;
        c.AccessTokenLifetimeSeconds = d.AccessTokenLifetime;
        c.BackChannelLogoutUri = d.BackChannelLogoutUri;
        c.FrontChannelLogoutUri = d.FrontChannelLogoutUri;
        c.FrontChannelLogoutSessionRequired = d.FrontChannelLogoutSessionRequired;
        c.RequirePushedAuthorizationRequests = d.RequirePushedAuthorizationRequests;
        c.RequireSignedRequestObject = d.RequireSignedRequestObject;
        c.RequiredNetwork = d.RequiredNetwork;
        c.Provisioning = d.Provisioning;
        c.SignInMethod = d.SignInMethod;
        c.IdTokenSigningAlg = d.IdTokenSigningAlg ?? "RS256";
        c.SubjectType = d.SubjectType ?? "public";
        c.SectorIdentifier = d.SectorIdentifier;
        c.BackchannelTokenDeliveryMode = string.IsNullOrEmpty(d.BackchannelTokenDeliveryMode) ? null : d.BackchannelTokenDeliveryMode;
        c.BackchannelClientNotificationEndpoint = string.IsNullOrEmpty(d.BackchannelClientNotificationEndpoint) ? null : d.BackchannelClientNotificationEndpoint;
        c.UpdatedAt = now;
    }
}
