using System.Text;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Keys;

/// <summary>
/// The token signing keys, held in memory after load (private keys are decrypted once, never per request).
/// Every algorithm (RS256, ES256) has its own schedule: a key signs from <c>ActivatesAt</c> to
/// <c>RetiresAt</c> (Bridge:Keys:RotationInterval), its successor is announced in JWKS
/// Bridge:Keys:PropagationTime before it takes over, and a retired key stays in JWKS for
/// Bridge:Keys:RetentionTime. <see cref="MaintainAsync"/> creates, rotates and reloads (each node
/// reloads when the table changed); signer selection follows the clock, so a scheduled switch needs no
/// maintenance run.
/// </summary>
public sealed class SigningKeyStore(
    IDbContextFactory<BridgeDbContext> factory,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    IOptions<BridgeOptions> options,
    IServiceScopeFactory scopes,
    ILogger<SigningKeyStore> logger)
{
    public const string ProtectionPurpose = "IdentityBridge.SigningKeys.v1";
    public static readonly IReadOnlyList<string> Algorithms = [SigningKeyMaterial.RS256, SigningKeyMaterial.ES256];

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet _keys = KeySet.Empty;
    private volatile PublishedKeys? _published;
    private Task<SigningKeyMaterial>? _firstRsaKey;

    private KeyOptions Schedule => options.Value.Keys;

    /// <summary>The algorithm of access tokens and of ID tokens for clients without a preference.</summary>
    public string DefaultAlgorithm => options.Value.Keys.DefaultAlgorithm;

    /// <summary>Credentials of the key that signs now for <paramref name="algorithm"/> (RS256 or ES256).</summary>
    public SigningCredentials GetSigningCredentials(string algorithm)
    {
        var now = time.GetUtcNow();
        var keys = _keys.Keys;
        var pick = SelectSigner(keys, algorithm, now) ?? SelectSigner(keys, DefaultAlgorithm, now)
            ?? keys.FirstOrDefault(k => !IsRevoked(k.Row))
            ?? throw new InvalidOperationException("No signing key is loaded; the key initializer has not run.");
        return pick.Material.Credentials;
    }

    /// <summary>
    /// True when a key of <paramref name="algorithm"/> that is published in JWKS can sign now. Reads the
    /// in-memory key set only (no database, no cryptography): cheap enough for every readiness probe.
    /// </summary>
    public bool HasSigner(string algorithm)
    {
        var now = time.GetUtcNow();
        return SelectSigner(_keys.Keys, algorithm, now) is { } key && IsPublished(key.Row, now) && !IsWithdrawn(key.Row);
    }

    /// <summary>The public keys published now (JWKS): signers, announced successors and retained predecessors.</summary>
    public IReadOnlyList<SecurityKey> GetValidationKeys() => Published().Keys;

    /// <summary>The JWKS document, serialized once per change of the published key set.</summary>
    public ReadOnlyMemory<byte> GetJwksBytes() => Published().Json;

    public async Task<IReadOnlyList<SigningKeyInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.SigningKeys.AsNoTracking().ToListAsync(ct);
        var now = time.GetUtcNow();
        var signers = Algorithms.Select(a => SelectSigner(_keys.Keys, a, now)?.Row.Id).Where(id => id is not null).ToHashSet();
        return rows.OrderByDescending(r => r.ActivatesAt).Select(r => Describe(r, now, signers.Contains(r.Id))).ToList();
    }

    /// <summary>
    /// Starts a new key for <paramref name="algorithm"/> now. By default the new key is announced at once
    /// and signs after Bridge:Keys:PropagationTime (the current key signs until then); with
    /// <paramref name="immediate"/> (a compromised key) it signs at once and the previous key is retired now.
    /// </summary>
    /// <param name="actor">Who asked, for the audit event (an administrator's account id, "cli"; "system" for maintenance).</param>
    public async Task<SigningKeyInfo> RotateNowAsync(string algorithm, bool immediate = false, CancellationToken ct = default, string actor = SystemActor)
    {
        if (!Algorithms.Contains(algorithm)) throw new ArgumentException($"Unsupported algorithm '{algorithm}'.", nameof(algorithm));
        await _gate.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var activates = immediate ? now : now + Schedule.PropagationTime;
            await using var db = await factory.CreateDbContextAsync(ct);
            var same = await db.SigningKeys.Where(k => k.Algorithm == algorithm).ToListAsync(ct);
            foreach (var k in same.Where(k => k.ExpiresAt is null || k.ExpiresAt > now))
            {
                if (k.ActivatesAt > now)
                {
                    // A successor announced but not yet signing: withdrawn in favour of the new key.
                    k.RetiresAt = now;
                    k.ExpiresAt = now;
                }
                else if (k.RetiresAt is null || k.RetiresAt > activates)
                {
                    k.RetiresAt = activates;
                    k.ExpiresAt = activates + Schedule.RetentionTime;
                }
            }
            var row = NewRow(SigningKeyMaterial.Generate(algorithm), "generated", now, activates);
            db.SigningKeys.Add(row);
            await db.SaveChangesAsync(ct);
            await ReloadCoreAsync(ct);
            await AuditAsync(AuditTypes.KeyRotated, row, new { immediate }, ct, actor);
            return Describe(row, now, immediate);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops signing with <paramref name="kid"/> now; it stays in JWKS for Bridge:Keys:RetentionTime. When it
    /// was the signer of its algorithm, a replacement key signs at once. A successor announced but not yet
    /// signing is withdrawn instead: it leaves JWKS at once (no token carries its kid) and the next
    /// <see cref="MaintainAsync"/> announces another in its place. False when no such key exists.
    /// </summary>
    public async Task<bool> RetireAsync(string kid, CancellationToken ct = default, string actor = SystemActor)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            await using var db = await factory.CreateDbContextAsync(ct);
            var row = await db.SigningKeys.FirstOrDefaultAsync(k => k.Id == kid, ct);
            if (row is null) return false;
            var wasSigner = SelectSigner(_keys.Keys, row.Algorithm, now)?.Row.Id == kid;
            if (row.ActivatesAt > now)
            {
                // Never signed: withdrawn, as a rotation withdraws it. Retired but still published, it would count
                // as the pending successor (so none other is announced) and sign once its time came.
                row.RetiresAt = now;
                if (row.ExpiresAt is null || row.ExpiresAt > now) row.ExpiresAt = now;
                await ReleaseSuccessorLocksAsync(db, row.Algorithm, ct);
            }
            else
            {
                if (row.RetiresAt is null || row.RetiresAt > now) row.RetiresAt = now;
                var expires = now + Schedule.RetentionTime;
                if (row.ExpiresAt is null || row.ExpiresAt > expires) row.ExpiresAt = expires;
            }
            var replacement = await StageReplacementAsync(db, row.Algorithm, kid, wasSigner, now);
            await db.SaveChangesAsync(ct);
            await AuditAsync(AuditTypes.KeyRetired, row, new { expiresAt = row.ExpiresAt }, ct, actor);
            await ReloadWithReplacementAsync(replacement, ct);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lets the next maintenance run announce a successor for <paramref name="algorithm"/> again (one was withdrawn).</summary>
    private async Task ReleaseSuccessorLocksAsync(BridgeDbContext db, string algorithm, CancellationToken ct)
    {
        var locks = _keys.Keys.Where(k => k.Row.Algorithm == algorithm).Select(k => LockKey(SuccessorLock(k.Row.Id))).ToList();
        await db.Grants.Where(g => locks.Contains(g.Key)).ExecuteDeleteAsync(ct);
    }

    /// <summary>Reloads the keys; when the key just taken out was the signer and none is left, a new one signs at once.</summary>
    /// <summary>
    /// Adds (unsaved) a key that signs at once in place of <paramref name="kid"/>, when that key signs now and no
    /// other key of its algorithm would take over once it stops: the caller saves it in the same transaction as
    /// the change to <paramref name="kid"/>, so that neither is stored without the other.
    /// </summary>
    private async Task<SigningKey?> StageReplacementAsync(BridgeDbContext db, string algorithm, string kid, bool wasSigner, DateTimeOffset now)
    {
        if (!wasSigner || SelectActive(_keys.Keys.Where(k => k.Row.Id != kid).ToList(), algorithm, now) is not null) return null;
        using var material = await NewMaterialAsync(algorithm);
        var row = NewRow(material, "generated", now, now);
        db.SigningKeys.Add(row);
        return row;
    }

    private async Task ReloadWithReplacementAsync(SigningKey? replacement, CancellationToken ct)
    {
        if (replacement is not null)
        {
            logger.LogInformation("Created {Algorithm} signing key {Kid}, signing from {ActivatesAt:o}", replacement.Algorithm, replacement.Id, replacement.ActivatesAt);
            await AuditAsync(AuditTypes.KeyCreated, replacement, new { activatesAt = replacement.ActivatesAt }, ct);
        }
        await ReloadCoreAsync(ct);
    }

    /// <summary>
    /// Revokes <paramref name="kid"/> (a compromised key): it leaves JWKS and the keys our own validators accept
    /// at once, on this node, and never signs again; other nodes follow at their next reload
    /// (<see cref="KeyMaintenanceService.Interval"/>). Unlike <see cref="RetireAsync"/> it is not kept for
    /// Bridge:Keys:RetentionTime, so every token it signed stops validating. When it was the signer of its
    /// algorithm, a replacement key signs at once, without waiting for Bridge:Keys:PropagationTime. A key
    /// that has already left JWKS (expired, withdrawn or revoked) is left as it is: false. Null when no such key exists.
    /// </summary>
    public async Task<bool?> RevokeAsync(string kid, CancellationToken ct = default, string actor = SystemActor)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // Decide on the table as it is now, not on what this node loaded at its last reload.
            await ReloadCoreAsync(ct);
            var now = time.GetUtcNow();
            await using var db = await factory.CreateDbContextAsync(ct);
            var row = await db.SigningKeys.FirstOrDefaultAsync(k => k.Id == kid, ct);
            if (row is null) return null;
            if (!IsPublished(row, now) || IsWithdrawn(row)) return false;
            var wasSigner = SelectSigner(_keys.Keys, row.Algorithm, now)?.Row.Id == kid;
            if (row.ActivatesAt > now)
            {
                // An announced successor: withdrawn, and another is announced in its place (see RetireAsync).
                await ReleaseSuccessorLocksAsync(db, row.Algorithm, ct);
            }
            // Retired and expired now: out of JWKS, never a signer again. RetiresAt no earlier than ExpiresAt
            // tells a revoked key from one that expired after its retention time.
            row.RetiresAt = now;
            row.ExpiresAt = now;
            // Saved together with the revocation: were the replacement stored on its own and failed, the revoked
            // key would remain the only one left to sign with.
            var replacement = await StageReplacementAsync(db, row.Algorithm, kid, wasSigner, now);
            await db.SaveChangesAsync(ct);
            logger.LogWarning("Revoked {Algorithm} signing key {Kid}: tokens it signed are no longer accepted", row.Algorithm, row.Id);
            await AuditAsync(AuditTypes.KeyRevoked, row, new { wasSigner, revokedAt = now }, ct, actor);
            await ReloadWithReplacementAsync(replacement, ct);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Imports a PEM private key (RSA 2048+ or EC P-256). It is announced and signs from now on and rotates
    /// like any other key. Returns the key, or null with the reason when the PEM holds no usable key.
    /// Importing a key that is already stored changes nothing.
    /// </summary>
    public async Task<(SigningKeyInfo? Key, string? Problem)> ImportPemAsync(string pem, CancellationToken ct = default)
    {
        var material = SigningKeyMaterial.FromPem(pem, out var problem);
        if (material is null) return (null, problem);
        await _gate.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            await using var db = await factory.CreateDbContextAsync(ct);
            var existing = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == material.KeyId, ct);
            if (existing is not null) return (Describe(existing, now, false), null);
            var row = NewRow(material, "imported", now, now);
            db.SigningKeys.Add(row);
            await db.SaveChangesAsync(ct);
            await AuditAsync(AuditTypes.KeyCreated, row, new { source = "imported" }, ct);
            await ReloadCoreAsync(ct);
            return (Describe(row, now, true), null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reloads when the table changed, creates a first key per algorithm, and announces successors when a
    /// key's retirement is less than Bridge:Keys:PropagationTime away. Safe to run on every node at once.
    /// </summary>
    public async Task MaintainAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await ReloadCoreAsync(ct);
            var now = time.GetUtcNow();
            await using var db = await factory.CreateDbContextAsync(ct);
            foreach (var algorithm in Algorithms)
            {
                var keys = _keys.Keys;
                var current = SelectActive(keys, algorithm, now);
                var pending = keys.Any(k => k.Row.Algorithm == algorithm && IsPublished(k.Row, now) && !IsWithdrawn(k.Row)
                                            && k.Row.ActivatesAt > now);
                if (current is null)
                {
                    // First start, every key expired or retired by hand: sign at once, unless a successor is about
                    // to take over. Two nodes starting together may both create one; every node picks the same signer.
                    if (!pending) await CreateAsync(db, algorithm, now, now, "generated", ct, reload: false);
                    continue;
                }
                if (pending || current.Row.RetiresAt is not { } retires || now < retires - Schedule.PropagationTime) continue;
                if (!await TryLockAsync(db, SuccessorLock(current.Row.Id), now, ct)) continue;
                var activates = retires > now + Schedule.PropagationTime ? retires : now + Schedule.PropagationTime;
                if (activates > retires)
                {
                    // Late (the service was down): the current key signs on until its successor has propagated.
                    var tracked = await db.SigningKeys.FirstAsync(k => k.Id == current.Row.Id, ct);
                    tracked.RetiresAt = activates;
                    tracked.ExpiresAt = activates + Schedule.RetentionTime;
                    await db.SaveChangesAsync(ct);
                }
                await CreateAsync(db, algorithm, now, activates, "generated", ct, reload: false);
            }
            await ReloadCoreAsync(ct);
        }
        finally
        {
            _gate.Release();
            if (Interlocked.Exchange(ref _firstRsaKey, null) is { } unused) Discard(unused);
        }
    }

    /// <summary>
    /// On an empty database: starts generating the first RS256 key on another core, so the prime search
    /// (0.1 to 0.5 s) runs while the schema is created instead of after it. The next RS256 key
    /// <see cref="MaintainAsync"/> creates is this one; it is discarded when none is needed.
    /// </summary>
    public void PrepareFirstKey()
    {
        if (Volatile.Read(ref _firstRsaKey) is not null) return;
        var generation = Task.Run(() => SigningKeyMaterial.Generate(SigningKeyMaterial.RS256));
        if (Interlocked.CompareExchange(ref _firstRsaKey, generation, null) is not null) Discard(generation);
    }

    private static void Discard(Task<SigningKeyMaterial> generation) =>
        _ = generation.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>The key <see cref="PrepareFirstKey"/> started, until it is used or discarded.</summary>
    internal Task<SigningKeyMaterial>? PreparedFirstKey => Volatile.Read(ref _firstRsaKey);

    /// <summary>Reloads the keys when the table changed (another node rotated, an admin retired a key).</summary>
    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await ReloadCoreAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CreateAsync(BridgeDbContext db, string algorithm, DateTimeOffset now, DateTimeOffset activates, string source, CancellationToken ct, bool reload = true)
    {
        using var material = await NewMaterialAsync(algorithm);
        var row = NewRow(material, source, now, activates);
        db.SigningKeys.Add(row);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Created {Algorithm} signing key {Kid}, signing from {ActivatesAt:o}", algorithm, row.Id, activates);
        await AuditAsync(AuditTypes.KeyCreated, row, new { activatesAt = activates }, ct);
        if (reload) await ReloadCoreAsync(ct);
    }

    /// <summary>A new key pair: for RS256 the one prepared ahead (<see cref="PrepareFirstKey"/>) when there is one.</summary>
    private async Task<SigningKeyMaterial> NewMaterialAsync(string algorithm)
    {
        if (algorithm == SigningKeyMaterial.RS256 && Interlocked.Exchange(ref _firstRsaKey, null) is { } prepared)
        {
            // The prime search is still running on another core: load (on a first start, create) the data
            // protection key ring meanwhile, which protecting the new key needs anyway.
            if (!prepared.IsCompleted) _protector.Protect([]);
            return await prepared;
        }
        return SigningKeyMaterial.Generate(algorithm);
    }

    private SigningKey NewRow(SigningKeyMaterial material, string source, DateTimeOffset now, DateTimeOffset activates)
    {
        var retires = activates + Schedule.RotationInterval;
        return new SigningKey
        {
            Id = material.KeyId,
            Algorithm = material.Algorithm,
            ProtectedPrivateKey = _protector.Protect(Convert.ToBase64String(material.ExportPkcs8())),
            PublicJwk = material.PublicJwkJson,
            Source = source,
            CreatedAt = now,
            ActivatesAt = activates,
            RetiresAt = retires,
            ExpiresAt = retires + Schedule.RetentionTime,
        };
    }

    /// <summary>The lock of announcing the successor of <paramref name="kid"/>, taken by one node once.</summary>
    private static string SuccessorLock(string kid) => "successor:" + kid;

    private static string LockKey(string name) => Tokens.TokenHashes.Key("key-maintenance:" + name);

    /// <summary>A row in <c>grants</c> used as a cluster-wide "I do this" marker: only one node wins the insert.</summary>
    private static async Task<bool> TryLockAsync(BridgeDbContext db, string name, DateTimeOffset now, CancellationToken ct)
    {
        var grant = new Grant
        {
            Key = LockKey(name),
            Type = "key_maintenance",
            ClientId = "",
            CreatedAt = now,
            ExpiresAt = now.AddDays(7),
            Data = "{}",
        };
        db.Grants.Add(grant);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            db.Entry(grant).State = EntityState.Detached;
            return false;
        }
    }

    private async Task ReloadCoreAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.SigningKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct);
        var fingerprint = Fingerprint(rows);
        var current = _keys;
        if (fingerprint == current.Fingerprint) return;
        var known = current.Keys.ToDictionary(k => k.Row.Id);
        var loaded = new List<LoadedKey>(rows.Count);
        foreach (var row in rows)
        {
            if (known.TryGetValue(row.Id, out var previous))
            {
                loaded.Add(previous with { Row = row });
                continue;
            }
            try
            {
                var pkcs8 = Convert.FromBase64String(_protector.Unprotect(row.ProtectedPrivateKey));
                loaded.Add(new LoadedKey(row, SigningKeyMaterial.FromPkcs8(pkcs8, row.Algorithm)));
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
            {
                logger.LogError(ex, "Signing key {Kid} could not be decrypted (data protection key ring missing?); it is skipped", row.Id);
            }
        }
        _keys = new KeySet(loaded, fingerprint);
        _published = null;
    }

    private PublishedKeys Published()
    {
        var now = time.GetUtcNow();
        var keys = _keys;
        var cached = _published;
        if (cached is not null && ReferenceEquals(cached.Source, keys) && now >= cached.From && now < cached.Until) return cached;
        var visible = keys.Keys.Where(k => IsPublished(k.Row, now) && !IsWithdrawn(k.Row)).OrderBy(k => k.Row.ActivatesAt).ToList();
        var until = keys.Keys.Select(k => k.Row.ExpiresAt).Where(e => e > now).Select(e => e!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var json = "{\"keys\":[" + string.Join(',', visible.Select(k => k.Material.PublicJwkJson)) + "]}";
        var published = new PublishedKeys(keys, now, until, Encoding.UTF8.GetBytes(json), visible.Select(k => k.Material.SecurityKey).ToList());
        _published = published;
        return published;
    }

    private static LoadedKey? SelectSigner(IReadOnlyList<LoadedKey> keys, string algorithm, DateTimeOffset now)
    {
        var published = keys.Where(k => k.Row.Algorithm == algorithm && IsPublished(k.Row, now) && !IsWithdrawn(k.Row)).ToList();
        return SelectActive(keys, algorithm, now)
            ?? published.Where(k => k.Row.ActivatesAt <= now).MaxBy(k => (k.Row.ActivatesAt, k.Row.Id))
            ?? published.MinBy(k => (k.Row.ActivatesAt, k.Row.Id))
            // Never a revoked key: what it signs is refused everywhere, so failing is the more honest answer.
            ?? keys.Where(k => k.Row.Algorithm == algorithm && !IsRevoked(k.Row)).MaxBy(k => (k.Row.ActivatesAt, k.Row.Id));
    }

    private static LoadedKey? SelectActive(IReadOnlyList<LoadedKey> keys, string algorithm, DateTimeOffset now) =>
        keys.Where(k => k.Row.Algorithm == algorithm && IsPublished(k.Row, now) && !IsWithdrawn(k.Row)
                        && k.Row.ActivatesAt <= now && (k.Row.RetiresAt is null || k.Row.RetiresAt > now))
            .MaxBy(k => (k.Row.ActivatesAt, k.Row.Id));

    private static bool IsPublished(SigningKey row, DateTimeOffset now) => row.ExpiresAt is null || row.ExpiresAt > now;

    /// <summary>Announced, then replaced before it ever signed.</summary>
    private static bool IsWithdrawn(SigningKey row) => row.RetiresAt is { } r && r <= row.ActivatesAt && row.ExpiresAt <= r;

    private static string Fingerprint(List<SigningKey> rows) =>
        string.Join('|', rows.Select(r => $"{r.Id}:{r.ActivatesAt.ToUnixTimeMilliseconds()}:{r.RetiresAt?.ToUnixTimeMilliseconds()}:{r.ExpiresAt?.ToUnixTimeMilliseconds()}"));

    /// <summary>
    /// Revoked: taken out of JWKS the moment it stopped signing, where a retired key is kept for the retention
    /// time (which is never zero). A withdrawn successor, which never signed, does not count.
    /// </summary>
    public static bool IsRevoked(SigningKey row) =>
        row.RetiresAt is { } r && row.ExpiresAt is { } e && e <= r && row.ActivatesAt <= r;

    private static SigningKeyInfo Describe(SigningKey r, DateTimeOffset now, bool signing)
    {
        var status = !IsPublished(r, now) ? (IsRevoked(r) ? "revoked" : "expired")
            : r.ActivatesAt > now ? "announced"
            : r.RetiresAt is { } ret && ret <= now ? "retired"
            : "active";
        return new SigningKeyInfo(r.Id, r.Algorithm, r.Source, r.CreatedAt, r.ActivatesAt, r.RetiresAt, r.ExpiresAt, status, signing, r.PublicJwk);
    }

    /// <summary>The actor of key events that no person asked for (creation at start, scheduled rotation).</summary>
    public const string SystemActor = "system";

    /// <summary>The one audit event of a key operation, whoever asked for it.</summary>
    private async Task AuditAsync(string type, SigningKey row, object? extra, CancellationToken ct, string actor = SystemActor)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditLog>()
            .WriteAsync(type, actor, details: new { kid = row.Id, algorithm = row.Algorithm, source = row.Source, extra }, ct: ct);
    }

    private sealed record LoadedKey(SigningKey Row, SigningKeyMaterial Material);

    private sealed record KeySet(IReadOnlyList<LoadedKey> Keys, string Fingerprint)
    {
        public static readonly KeySet Empty = new([], "");
    }

    private sealed record PublishedKeys(KeySet Source, DateTimeOffset From, DateTimeOffset Until, byte[] Json, IReadOnlyList<SecurityKey> Keys);
}
