using System.Text.Json;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Configuration;
using IdentityBridge.Storage.Entities;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Admin.Services;

/// <summary>Token signing keys as administrators see them: list, rotate now, retire, revoke.</summary>
public sealed class KeyAdminService(AdminSigningKeys keys, TimeProvider time, IOptions<BridgeOptions> options)
{
    public static readonly string[] Algorithms = ["RS256", "ES256"];

    public async Task<IReadOnlyList<SigningKeyView>> ListAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return (await keys.ListAsync(ct)).Select(k => ToView(k, now)).ToList();
    }

    public async Task<AdminResult<SigningKeyView>> RotateAsync(string? algorithm, string actor, CancellationToken ct = default)
    {
        var alg = string.IsNullOrWhiteSpace(algorithm) ? options.Value.Keys.DefaultAlgorithm : algorithm;
        if (!Algorithms.Contains(alg, StringComparer.Ordinal)) return AdminError.Invalid("algorithm", "must be RS256 or ES256");
        // The store audits the operation, with the actor.
        var key = await keys.RotateNowAsync(alg, actor, ct);
        return ToView(key, time.GetUtcNow());
    }

    public async Task<AdminResult<SigningKeyView>> RetireAsync(string kid, string actor, CancellationToken ct = default)
    {
        var (outcome, key) = await keys.RetireAsync(kid, actor, ct);
        switch (outcome)
        {
            case KeyRetireOutcome.NotFound:
                return AdminError.NotFound("Signing key", kid);
            case KeyRetireOutcome.AlreadyRetired:
                return AdminError.Conflict("Key already retired", $"The key '{kid}' no longer signs.");
            case KeyRetireOutcome.LastActiveKey:
                return AdminError.Conflict("Last signing key", $"The key '{kid}' is the last one signing with {key!.Algorithm}: rotate first, then retire it.");
        }
        return ToView(key!, time.GetUtcNow());
    }

    /// <summary>
    /// Revokes a compromised key: it leaves the JWKS and every token it signed is refused at once (other nodes
    /// follow at their next key reload, within a minute); a new key signs at once when it was the signer.
    /// Idempotent: a key already out of the JWKS (revoked, expired) is answered as it is, with nothing changed
    /// and nothing audited.
    /// </summary>
    public async Task<AdminResult<SigningKeyView>> RevokeAsync(string kid, string actor, CancellationToken ct = default)
    {
        var (_, key) = await keys.RevokeAsync(kid, actor, ct);
        if (key is null) return AdminError.NotFound("Signing key", kid);
        return ToView(key, time.GetUtcNow());
    }

    public static string Status(SigningKey k, DateTimeOffset now) =>
        k.ExpiresAt is { } e && e <= now ? (AdminSigningKeys.IsRevoked(k) ? "revoked" : "expired")
        : k.RetiresAt is { } r && r <= now ? "retired"
        : k.ActivatesAt > now ? "pending"
        : "active";

    private static SigningKeyView ToView(SigningKey k, DateTimeOffset now) => new(
        k.Id, k.Algorithm, Status(k, now), k.Source, k.CreatedAt, k.ActivatesAt, k.RetiresAt, k.ExpiresAt, ParseJwk(k.PublicJwk));

    private static JsonElement? ParseJwk(string json)
    {
        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
