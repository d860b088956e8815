using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Audit;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Services;

/// <summary>
/// Export and import of clients and accounts. Import is an upsert: entities in the file are created or
/// made equal to the file (roles, wallets and secrets included); entities not in the file are left alone.
/// A wallet the file takes away from an account is unlinked from it as by the admin API: what was obtained
/// by signing in with it ends; an account the file disables loses its sessions and refresh tokens as by the
/// admin API.
/// The whole file is validated before anything is written, and written in one transaction.
/// </summary>
public sealed partial class TransferService(BridgeDbContext db, TimeProvider time, AuditLog audit, AdminClientCache cache, AccountAdminService accountAdmin)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    [GeneratedRegex("^sha256:[A-Za-z0-9+/]{43}=$")]
    private static partial Regex HashPattern();

    public async Task<ExportDocument> ExportAsync(CancellationToken ct = default)
    {
        var clients = await db.Clients.AsNoTracking().Include(c => c.Secrets).ToListAsync(ct);
        var accounts = await db.Accounts.AsNoTracking().Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery().ToListAsync(ct);
        return new ExportDocument
        {
            Clients = clients.OrderBy(c => c.ClientId, StringComparer.Ordinal).Select(ToExport).ToList(),
            Accounts = accounts.OrderBy(a => a.Id, StringComparer.Ordinal).Select(ToExport).ToList(),
        };
    }

    public async Task<AdminResult<ImportSummary>> ImportAsync(ExportDocument document, string actor, CancellationToken ct = default)
    {
        var errors = new FieldErrors();
        if (document.Format != ExportDocument.FormatName) errors.Add("format", $"must be '{ExportDocument.FormatName}'");
        if (document.Version != ExportDocument.CurrentVersion) errors.Add("version", $"must be {ExportDocument.CurrentVersion}");
        var clients = document.Clients ?? [];
        var accounts = document.Accounts ?? [];
        ValidateClients(clients, errors);
        ValidateAccounts(accounts, errors);
        if (errors.Any) return AdminError.Invalid(errors);

        // A wallet may move only between accounts that are both in the file.
        var target = accounts.SelectMany(a => (a.Wallets ?? []).Select(w => (Address: w.Address!, Account: a.Id!)))
            .ToDictionary(w => w.Address, w => w.Account, StringComparer.Ordinal);
        var addresses = target.Keys.ToList();
        var owners = await db.Wallets.Where(w => addresses.Contains(w.Address)).Select(w => new { w.Address, w.AccountId }).ToListAsync(ct);
        var fileAccountIds = accounts.Select(a => a.Id!).ToHashSet(StringComparer.Ordinal);
        foreach (var owner in owners.Where(o => o.AccountId != target[o.Address] && !fileAccountIds.Contains(o.AccountId)))
            errors.Add($"accounts[{accounts.FindIndex(a => a.Id == target[owner.Address])}].wallets",
                $"{owner.Address} is linked to account {owner.AccountId}, which is not in the file");
        if (errors.Any) return AdminError.Invalid(errors);

        var now = time.GetUtcNow();
        var changes = new List<(string Type, string? Account, string? Client, object Details)>();
        int clientsCreated = 0, clientsUpdated = 0, accountsCreated = 0, accountsUpdated = 0, unchanged = 0;
        List<(string AccountId, string Address)> unlinked;
        var disabled = new List<string>();
        try
        {
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                // The file's clients and accounts already stored are read in one query each (and one for each of
                // their collections), not one by one: a file of thousands of accounts made thousands of round trips.
                var clientIds = clients.Select(c => c.ClientId!).ToList();
                var storedClients = await db.Clients.Include(c => c.Secrets).AsSplitQuery()
                    .Where(c => clientIds.Contains(c.ClientId)).ToDictionaryAsync(c => c.ClientId, StringComparer.Ordinal, ct);
                foreach (var input in clients)
                {
                    var entity = storedClients.GetValueOrDefault(input.ClientId!);
                    var beforeExport = entity is null ? null : ToExport(entity);
                    var before = beforeExport is null ? null : Serialize(beforeExport);
                    if (entity is null)
                    {
                        entity = new Client { ClientId = input.ClientId!, ClientName = input.ClientId!, CreatedAt = input.CreatedAt ?? now };
                        db.Clients.Add(entity);
                    }
                    var updatedAt = entity.UpdatedAt;
                    ClientRules.Apply(input, entity, now);
                    ApplySecrets(entity, input.Secrets ?? [], now);
                    var afterExport = ToExport(entity);
                    var after = Serialize(afterExport);
                    if (before == after)
                    {
                        entity.UpdatedAt = updatedAt;
                        unchanged++;
                        continue;
                    }
                    if (before is null) clientsCreated++;
                    else clientsUpdated++;
                    changes.Add(beforeExport is null
                        ? (AuditTypes.ClientCreated, null, entity.ClientId, new { via = "import", after = ClientChanges.Created(WithoutSecrets(after)) })
                        : (AuditTypes.ClientUpdated, null, entity.ClientId, new { via = "import", changes = ClientChanges.Of(beforeExport, afterExport) }));
                }
                await db.SaveChangesAsync(ct);

                var accountIds = fileAccountIds.ToList();
                // Wallets the file takes away from an account (dropped, or moved to another account) are unlinked from it.
                unlinked = (await db.Wallets.Where(w => accountIds.Contains(w.AccountId)).Select(w => new { w.AccountId, w.Address }).ToListAsync(ct))
                    .Where(w => !target.TryGetValue(w.Address, out var owner) || owner != w.AccountId)
                    .Select(w => (w.AccountId, w.Address)).ToList();
                var active = (await db.Accounts.Where(a => accountIds.Contains(a.Id) && a.Status == AccountStatus.Active).Select(a => a.Id).ToListAsync(ct))
                    .ToHashSet(StringComparer.Ordinal);
                var beforeAccounts = (await db.Accounts.AsNoTracking().Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery()
                    .Where(a => accountIds.Contains(a.Id)).ToListAsync(ct)).ToDictionary(a => a.Id, a => Serialize(ToExport(a)), StringComparer.Ordinal);
                // Wallets moving between accounts are detached first, so the unique address index never sees one twice.
                foreach (var moving in owners.Where(o => o.AccountId != target[o.Address]))
                    await db.Wallets.Where(w => w.Address == moving.Address).ExecuteDeleteAsync(ct);

                // Read after those deletes, so the tracked accounts do not hold the wallets they just lost.
                var storedAccounts = await db.Accounts.Include(a => a.Roles).Include(a => a.Wallets).AsSplitQuery()
                    .Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, StringComparer.Ordinal, ct);
                foreach (var input in accounts)
                {
                    var entity = storedAccounts.GetValueOrDefault(input.Id!);
                    var before = beforeAccounts.GetValueOrDefault(input.Id!);
                    if (entity is null)
                    {
                        entity = new Account { Id = input.Id!, CreatedAt = input.CreatedAt ?? now, UpdatedAt = now };
                        db.Accounts.Add(entity);
                    }
                    ApplyAccount(entity, input, now);
                    if (entity.Status == AccountStatus.Disabled && active.Contains(entity.Id)) disabled.Add(entity.Id);
                    var after = Serialize(ToExport(entity));
                    if (before == after)
                    {
                        unchanged++;
                        continue;
                    }
                    entity.UpdatedAt = now;
                    if (before is null) accountsCreated++;
                    else accountsUpdated++;
                    changes.Add((before is null ? AuditTypes.AccountCreated : AuditTypes.AccountUpdated, entity.Id, null,
                        new { via = "import", before = Snapshot(before), after = Snapshot(after) }));
                }
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || DatabaseErrors.IsUniqueViolation(ex, "clients")
                                           || DatabaseErrors.IsUniqueViolation(ex, "accounts") || DatabaseErrors.IsUniqueViolation(ex, "wallets"))
        {
            // A client or account of the file was created or changed by another request while the import ran;
            // the transaction is rolled back, so nothing of the file is stored.
            return AdminError.Conflict("Changed during the import",
                "A client or account in the file was created or changed by another request while the import ran; nothing was imported. Retry the import.");
        }
        foreach (var client in clients) cache.Invalidate(client.ClientId!);
        foreach (var (accountId, address) in unlinked)
            await accountAdmin.EndWalletAccessAsync(accountId, address, actor, ct);
        foreach (var accountId in disabled)
            await accountAdmin.EndAccountAccessAsync(accountId, ct);
        foreach (var (type, account, client, details) in changes)
            await audit.WriteAsync(type, actor, account, client, details: details, ct: ct, maxDetailsLength: ClientChanges.MaxLength);
        return new ImportSummary(clientsCreated, clientsUpdated, accountsCreated, accountsUpdated, unchanged);
    }

    private static void ApplySecrets(Client entity, List<SecretExport> secrets, DateTimeOffset now)
    {
        entity.Secrets.RemoveAll(s => !secrets.Any(f => f.Hash == s.Hash));
        foreach (var f in secrets)
        {
            var secret = entity.Secrets.FirstOrDefault(s => s.Hash == f.Hash);
            if (secret is null)
            {
                secret = new ClientSecret { ClientId = entity.ClientId, Hash = f.Hash! };
                entity.Secrets.Add(secret);
            }
            secret.Description = f.Description;
            secret.CreatedAt = f.CreatedAt ?? now;
            secret.ExpiresAt = f.ExpiresAt;
        }
    }

    private static void ApplyAccount(Account entity, AccountExport input, DateTimeOffset now)
    {
        entity.DisplayName = input.DisplayName;
        entity.Email = input.Email;
        entity.EmailVerified = input.EmailVerified ?? false;
        entity.Status = input.Enabled == false ? AccountStatus.Disabled : AccountStatus.Active;
        if (input.Enrolled is { } enrolled) entity.Enrolled = enrolled;
        var roles = (input.Roles ?? []).Distinct(StringComparer.Ordinal).ToList();
        entity.Roles.RemoveAll(r => !roles.Contains(r.Role, StringComparer.Ordinal));
        foreach (var role in roles.Where(r => entity.Roles.All(x => x.Role != r)))
            entity.Roles.Add(new AccountRole { AccountId = entity.Id, Role = role });
        var wallets = input.Wallets ?? [];
        entity.Wallets.RemoveAll(w => !wallets.Any(f => f.Address == w.Address));
        foreach (var f in wallets)
        {
            var wallet = entity.Wallets.FirstOrDefault(w => w.Address == f.Address);
            if (wallet is null)
            {
                wallet = new Wallet { AccountId = entity.Id, Address = f.Address! };
                entity.Wallets.Add(wallet);
            }
            wallet.Network = f.Network;
            wallet.LinkedAt = f.LinkedAt ?? now;
        }
    }

    private static void ValidateClients(List<ClientExport> clients, FieldErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < clients.Count; i++)
        {
            var c = clients[i];
            if (c is null)
            {
                errors.Add($"clients[{i}]", "must be a client object, not null");
                continue;
            }
            var inner = new FieldErrors();
            ClientRules.Validate(c, inner);
            foreach (var (field, messages) in inner.ToDictionary())
                foreach (var m in messages) errors.Add($"clients[{i}].{field}", m);
            if (c.ClientId is { } id && !seen.Add(id)) errors.Add($"clients[{i}].clientId", $"'{id}' appears twice in the file");
            var secrets = c.Secrets ?? [];
            for (var j = 0; j < secrets.Count; j++)
            {
                if (secrets[j] is null)
                {
                    errors.Add($"clients[{i}].secrets[{j}]", "must be a secret object, not null");
                    continue;
                }
                if (secrets[j].Hash is not { } hash || !HashPattern().IsMatch(hash))
                    errors.Add($"clients[{i}].secrets[{j}].hash", "must be a secret hash as exported ('sha256:' and 44 base64 characters)");
                if (secrets[j].Description is { Length: > 200 })
                    errors.Add($"clients[{i}].secrets[{j}].description", "must be at most 200 characters");
            }
        }
    }

    private static void ValidateAccounts(List<AccountExport> accounts, FieldErrors errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var wallets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < accounts.Count; i++)
        {
            var a = accounts[i];
            if (a is null)
            {
                errors.Add($"accounts[{i}]", "must be an account object, not null");
                continue;
            }
            if (string.IsNullOrWhiteSpace(a.Id) || a.Id.Length > 64) errors.Add($"accounts[{i}].id", "is required (at most 64 characters)");
            else if (!ids.Add(a.Id)) errors.Add($"accounts[{i}].id", $"'{a.Id}' appears twice in the file");
            if (a.DisplayName is { Length: > 200 }) errors.Add($"accounts[{i}].displayName", "must be at most 200 characters");
            else if (a.DisplayName is { } name && name.Any(char.IsControl)) errors.Add($"accounts[{i}].displayName", "must not contain control characters");
            if (a.Email is { } email && !AccountAdminService.IsValidEmail(email))
                errors.Add($"accounts[{i}].email", "must be an email address such as name@example.com (at most 320 characters)");
            var roles = a.Roles ?? [];
            for (var j = 0; j < roles.Count; j++)
                if (!AccountAdminService.IsValidRole(roles[j])) errors.Add($"accounts[{i}].roles[{j}]", "is not a valid role name");
            var list = a.Wallets ?? [];
            for (var j = 0; j < list.Count; j++)
            {
                if (list[j] is null)
                {
                    errors.Add($"accounts[{i}].wallets[{j}]", "must be a wallet object, not null");
                    continue;
                }
                if (!XrplAddress.IsValid(list[j].Address)) errors.Add($"accounts[{i}].wallets[{j}].address", "must be a valid XRP Ledger r-address");
                else if (!wallets.Add(list[j].Address!)) errors.Add($"accounts[{i}].wallets[{j}].address", $"{list[j].Address} appears twice in the file");
                if (list[j].Network is { } network && network.Length is 0 or > 32)
                    errors.Add($"accounts[{i}].wallets[{j}].network", "must be 1 to 32 characters");
            }
        }
    }

    private static ClientExport ToExport(Client c)
    {
        var export = ClientRules.ToInput<ClientExport>(c);
        export.CreatedAt = c.CreatedAt;
        export.Secrets = c.Secrets.OrderBy(s => s.CreatedAt).ThenBy(s => s.Hash, StringComparer.Ordinal)
            .Select(s => new SecretExport { Hash = s.Hash, Description = s.Description, CreatedAt = s.CreatedAt, ExpiresAt = s.ExpiresAt }).ToList();
        return export;
    }

    private static AccountExport ToExport(Account a) => new()
    {
        Id = a.Id,
        DisplayName = a.DisplayName,
        Email = a.Email,
        EmailVerified = a.EmailVerified,
        Enabled = a.Status == AccountStatus.Active,
        Enrolled = a.Enrolled,
        CreatedAt = a.CreatedAt,
        Roles = a.Roles.Select(r => r.Role).Order(StringComparer.Ordinal).ToList(),
        Wallets = a.Wallets.OrderBy(w => w.Address, StringComparer.Ordinal)
            .Select(w => new WalletExport { Address = w.Address, Network = w.Network, LinkedAt = w.LinkedAt }).ToList(),
    };

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    /// <summary>An audit snapshot: the export form minus secret hashes.</summary>
    private static JsonElement? Snapshot(string? json) => json is null ? null : JsonSerializer.SerializeToElement(WithoutSecrets(json));

    private static System.Text.Json.Nodes.JsonObject WithoutSecrets(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node.Remove("secrets");
        return node;
    }
}
