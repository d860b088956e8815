using IdentityBridge.Admin.Contracts;
using IdentityBridge.Audit;
using IdentityBridge.Clients;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Services;

/// <summary>Registered clients: the domain logic behind the admin API, CLI and console.</summary>
public sealed class ClientAdminService(BridgeDbContext db, TimeProvider time, AuditLog audit, AdminClientCache cache)
{
    public const int DefaultOverlapSeconds = 86_400;
    public const int MaxOverlapSeconds = 30 * 86_400;

    public async Task<ResultPage<ClientView>> ListAsync(PageRequest page, string? search = null, bool? enabled = null, CancellationToken ct = default)
    {
        var query = db.Clients.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim().ToLowerInvariant();
            query = query.Where(c => c.ClientId.ToLower().Contains(s) || c.ClientName.ToLower().Contains(s));
        }
        if (enabled is { } e) query = query.Where(c => c.Enabled == e);
        var total = await query.CountAsync(ct);
        var items = await query.Include(c => c.Secrets).OrderBy(c => c.ClientId).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return new ResultPage<ClientView>(items.Select(ClientRules.ToView).ToList(), page.Page, page.PageSize, total);
    }

    public async Task<AdminResult<ClientView>> GetAsync(string clientId, CancellationToken ct = default)
    {
        var client = await db.Clients.AsNoTracking().Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        return client is null ? AdminError.NotFound("Client", clientId) : ClientRules.ToView(client);
    }

    public async Task<AdminResult<ClientCreated>> CreateAsync(ClientInput input, string actor, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        ClientRules.Validate(input, errors);
        if (errors.Any) return AdminError.Invalid(errors);
        var id = input.ClientId!;
        if (await db.Clients.AnyAsync(c => c.ClientId == id, ct)) return Duplicate(id);

        var now = time.GetUtcNow();
        var client = new Client { ClientId = id, ClientName = id, CreatedAt = now };
        ClientRules.Apply(input, client, now);
        string? secret = null;
        if (ClientRules.UsesSecret(client))
        {
            secret = ClientSecretHasher.Generate();
            client.Secrets.Add(new ClientSecret { ClientId = id, Hash = ClientSecretHasher.Hash(secret), Description = "initial", CreatedAt = now });
        }
        db.Clients.Add(client);
        // Created concurrently under the same id.
        if (!await TrySaveAsync(ex => DatabaseErrors.IsUniqueViolation(ex, "clients"), ct)) return Duplicate(id);
        var view = ClientRules.ToView(client);
        await audit.WriteAsync(AuditTypes.ClientCreated, actor, clientId: id, details: new { after = ClientChanges.Created(view) }, ct: ct,
            maxDetailsLength: ClientChanges.MaxLength);
        return new ClientCreated(view, secret);
    }

    /// <summary>
    /// Replaces a client's settings. A client moved onto a secret method (client_secret_basic or client_secret_post)
    /// without an unexpired secret gets one, as a new client does, returned once: without it the client could not
    /// authenticate, and rotation, which needs a client already on a secret method, would not help. A client that
    /// stays on a secret method keeps its secrets; one moved off a secret method loses them. With
    /// <paramref name="ifMatch"/>, a client whose entity tag it does not name is left as it is.
    /// </summary>
    public async Task<AdminResult<ClientUpdated>> UpdateAsync(string clientId, ClientInput input, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var client = await db.Clients.Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        if (client is null) return AdminError.NotFound("Client", clientId);
        if (Unmet(ifMatch, client) is { } unmet) return unmet;
        if (input.ClientId is { } bodyId && bodyId != clientId)
            return AdminError.Invalid("clientId", "must match the client id in the address (a client id cannot be changed)");
        input.ClientId = clientId;
        var errors = new FieldErrors();
        ClientRules.Validate(input, errors);
        if (errors.Any) return AdminError.Invalid(errors);

        var before = ClientRules.ToView(client);
        var usedSecret = ClientRules.UsesSecret(client);
        var now = time.GetUtcNow();
        ClientRules.Apply(input, client, now);
        string? secret = null;
        ClientSecret? issued = null;
        if (!ClientRules.UsesSecret(client)) client.Secrets.Clear();
        else if (!usedSecret && !client.Secrets.Any(s => s.ExpiresAt is not { } e || e > now))
        {
            secret = ClientSecretHasher.Generate();
            issued = new ClientSecret { ClientId = clientId, Hash = ClientSecretHasher.Hash(secret), Description = "initial", CreatedAt = now };
            client.Secrets.Add(issued);
        }
        if (!await TrySaveEditAsync(ct)) return ChangedMeanwhile(clientId, ifMatch);
        cache.Invalidate(clientId);
        var after = ClientRules.ToView(client);
        object details = issued is null
            ? new { changes = ChangesOf(before, after) }
            : new { changes = ChangesOf(before, after), secretIssued = issued.Id };
        await audit.WriteAsync(AuditTypes.ClientUpdated, actor, clientId: clientId, details: details, ct: ct, maxDetailsLength: ClientChanges.MaxLength);
        return new ClientUpdated(after, secret);
    }

    public async Task<AdminResult<ClientView>> SetEnabledAsync(string clientId, bool enabled, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var client = await db.Clients.Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        if (client is null) return AdminError.NotFound("Client", clientId);
        if (Unmet(ifMatch, client) is { } unmet) return unmet;
        if (client.Enabled == enabled) return ClientRules.ToView(client);
        var before = ClientRules.ToView(client);
        client.Enabled = enabled;
        client.UpdatedAt = time.GetUtcNow();
        if (!await TrySaveEditAsync(ct)) return ChangedMeanwhile(clientId, ifMatch);
        cache.Invalidate(clientId);
        var after = ClientRules.ToView(client);
        await audit.WriteAsync(AuditTypes.ClientUpdated, actor, clientId: clientId,
            details: new { change = enabled ? "enabled" : "disabled", changes = ChangesOf(before, after) }, ct: ct, maxDetailsLength: ClientChanges.MaxLength);
        return after;
    }

    /// <summary>Deletes a client; its refresh tokens and codes are revoked and its consents forgotten.</summary>
    public async Task<AdminResult<ClientView>> DeleteAsync(string clientId, string actor, IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var client = await db.Clients.Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        if (client is null) return AdminError.NotFound("Client", clientId);
        if (Unmet(ifMatch, client) is { } unmet) return unmet;
        var before = ClientRules.ToView(client);
        var now = time.GetUtcNow();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Grants.Where(g => g.ClientId == clientId && g.RevokedAt == null).ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
            await db.Consents.Where(c => c.ClientId == clientId).ExecuteDeleteAsync(ct);
            db.Clients.Remove(client);
            if (!await TrySaveEditAsync(ct)) return ChangedMeanwhile(clientId, ifMatch);
            await tx.CommitAsync(ct);
        }
        cache.Invalidate(clientId);
        await audit.WriteAsync(AuditTypes.ClientDeleted, actor, clientId: clientId, details: new { before }, ct: ct);
        return before;
    }

    /// <summary>
    /// Adds a new secret (returned once) and lets the current ones expire after <paramref name="overlapSeconds"/>,
    /// so the client's operators can roll it out without downtime.
    /// </summary>
    public async Task<AdminResult<SecretRotated>> RotateSecretAsync(string clientId, int? overlapSeconds, string actor, string? description = null,
        IfMatch? ifMatch = null, CancellationToken ct = default)
    {
        var overlap = overlapSeconds ?? DefaultOverlapSeconds;
        if (overlap is < 0 or > MaxOverlapSeconds)
            return AdminError.Invalid("overlapSeconds", $"must be from 0 to {MaxOverlapSeconds} seconds");
        if (description is { Length: > 200 }) return AdminError.Invalid("description", "must be at most 200 characters");
        var client = await db.Clients.Include(c => c.Secrets).FirstOrDefaultAsync(c => c.ClientId == clientId, ct);
        if (client is null) return AdminError.NotFound("Client", clientId);
        if (Unmet(ifMatch, client) is { } unmet) return unmet;
        if (!ClientRules.UsesSecret(client))
            return AdminError.Conflict("Client has no secret", $"Client '{clientId}' authenticates with '{client.TokenEndpointAuthMethod}', not a client secret.");

        var now = time.GetUtcNow();
        var previousExpire = now.AddSeconds(overlap);
        // Secrets that had expired before this rotation are of no further use.
        client.Secrets.RemoveAll(s => s.ExpiresAt is { } e && e <= now);
        DateTimeOffset? latest = null;
        foreach (var old in client.Secrets)
        {
            if (old.ExpiresAt is null || old.ExpiresAt > previousExpire) old.ExpiresAt = previousExpire;
            latest = latest is null || old.ExpiresAt > latest ? old.ExpiresAt : latest;
        }
        var secret = ClientSecretHasher.Generate();
        var entry = new ClientSecret { ClientId = clientId, Hash = ClientSecretHasher.Hash(secret), Description = description ?? "rotated", CreatedAt = now };
        client.Secrets.Add(entry);
        client.UpdatedAt = now;
        if (!await TrySaveEditAsync(ct)) return ChangedMeanwhile(clientId, ifMatch);
        cache.Invalidate(clientId);
        await audit.WriteAsync(AuditTypes.ClientSecretRotated, actor, clientId: clientId,
            details: new { secretId = entry.Id, overlapSeconds = overlap, previousSecretsExpireAt = latest }, ct: ct);
        return new SecretRotated(clientId, entry.Id, secret, latest) { ETag = EntityTags.Of(client.Version, client.CreatedAt) };
    }

    private static System.Text.Json.Nodes.JsonObject ChangesOf(ClientView before, ClientView after) =>
        ClientChanges.Of(before, after, before.Secrets.Select(s => s.Id), after.Secrets.Select(s => s.Id));

    public async Task<int> CountAsync(CancellationToken ct = default) => await db.Clients.CountAsync(ct);

    private static AdminError Duplicate(string id) => AdminError.Conflict("Client already exists", $"A client with id '{id}' already exists.");

    /// <summary>
    /// A change lost to another one saved meanwhile: a conflict, or, when the request named the entity tag it was
    /// made from, that tag's precondition failing.
    /// </summary>
    private static AdminError ChangedMeanwhile(string id, IfMatch? ifMatch) => ifMatch is { IsAny: false }
        ? AdminError.PreconditionFailed("Client", id)
        : AdminError.Conflict("Client changed meanwhile",
            $"Client '{id}' was changed by another request while this one was being applied; nothing was saved. Read it again and retry.");

    /// <summary>The refusal of a change whose If-Match does not name the client as read; null when there is none to make.</summary>
    private static AdminError? Unmet(IfMatch? ifMatch, Client client) =>
        ifMatch is null || ifMatch.Matches(EntityTags.Of(client.Version, client.CreatedAt)) ? null : AdminError.PreconditionFailed("Client", client.ClientId);

    /// <summary>Saves an edit of a client read in this request; false when the client changed since (see <see cref="Client.Version"/>).</summary>
    private Task<bool> TrySaveEditAsync(CancellationToken ct) => TrySaveAsync(ex => ex is DbUpdateConcurrencyException, ct);

    /// <summary>Saves; false when the save failed as <paramref name="expected"/> foresees, which the caller answers for.</summary>
    private async Task<bool> TrySaveAsync(Func<DbUpdateException, bool> expected, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (expected(ex))
        {
            return false;
        }
    }
}
