using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Admin;

// The only place where administration reaches into state the OpenID Provider owns (signing keys, its
// client cache, access token validation). Everything else in Admin/ goes through these three classes.

/// <summary>Outcome of retiring a signing key.</summary>
public enum KeyRetireOutcome
{
    Retired,
    NotFound,
    AlreadyRetired,
    /// <summary>Refused: it is the last key signing with its algorithm; rotate first.</summary>
    LastActiveKey,
}

/// <summary>Outcome of revoking a signing key.</summary>
public enum KeyRevokeOutcome
{
    Revoked,
    NotFound,
    /// <summary>Out of the JWKS already (revoked before, expired, withdrawn): nothing changed.</summary>
    AlreadyRemoved,
}

/// <summary>Lists, rotates, retires and revokes token signing keys, through the provider's key store.</summary>
public sealed class AdminSigningKeys(BridgeDbContext db, SigningKeyStore store, TimeProvider time)
{
    public async Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken ct = default) =>
        (await db.SigningKeys.AsNoTracking().ToListAsync(ct)).OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Creates a key that signs from now on; the keys of the same algorithm that were signing retire
    /// now and stay in the JWKS for the retention time, so tokens they signed still validate.
    /// </summary>
    public async Task<SigningKey> RotateNowAsync(string algorithm, string actor, CancellationToken ct = default)
    {
        var created = await store.RotateNowAsync(algorithm, immediate: true, ct, actor);
        return await db.SigningKeys.AsNoTracking().FirstAsync(k => k.Id == created.Kid, ct);
    }

    public async Task<(KeyRetireOutcome Outcome, SigningKey? Key)> RetireAsync(string kid, string actor, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var key = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == kid, ct);
        if (key is null) return (KeyRetireOutcome.NotFound, null);
        if (key.RetiresAt is { } r && r <= now) return (KeyRetireOutcome.AlreadyRetired, key);
        var others = await db.SigningKeys.AsNoTracking().Where(k => k.Algorithm == key.Algorithm && k.Id != kid).ToListAsync(ct);
        if (!others.Any(k => k.ActivatesAt <= now && (k.RetiresAt is null || k.RetiresAt > now)))
            return (KeyRetireOutcome.LastActiveKey, key);
        await store.RetireAsync(kid, ct, actor);
        return (KeyRetireOutcome.Retired, await db.SigningKeys.AsNoTracking().FirstAsync(k => k.Id == kid, ct));
    }

    /// <summary>
    /// Takes a compromised key out of the JWKS and out of what this bridge accepts now (see
    /// <see cref="SigningKeyStore.RevokeAsync"/>); the key as stored afterwards, or null when there is none.
    /// </summary>
    public async Task<(KeyRevokeOutcome Outcome, SigningKey? Key)> RevokeAsync(string kid, string actor, CancellationToken ct = default)
    {
        if (await store.RevokeAsync(kid, ct, actor) is not { } revoked) return (KeyRevokeOutcome.NotFound, null);
        var key = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == kid, ct);
        return (revoked ? KeyRevokeOutcome.Revoked : KeyRevokeOutcome.AlreadyRemoved, key);
    }

    /// <summary>True for a key that was revoked (out of the JWKS before its time), not merely expired.</summary>
    public static bool IsRevoked(SigningKey key) => SigningKeyStore.IsRevoked(key);
}

/// <summary>Tells the provider that a client's registration changed, so it stops serving a cached copy.</summary>
public sealed class AdminClientCache(Provider.Clients.ClientStore store)
{
    public void Invalidate(string clientId) => store.Invalidate(clientId);
}

/// <summary>
/// Validates an access token presented to the admin API. Not sealed: tests substitute a validator that
/// knows their own signing key.
/// </summary>
public class AdminAccessTokens(AccessTokenValidator validator)
{
    public virtual Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken ct = default) => validator.ValidateAsync(token, ct);
}
