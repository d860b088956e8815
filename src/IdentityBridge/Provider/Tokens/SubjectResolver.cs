using System.Security.Cryptography;
using System.Text;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// The identifiers of the user a client sees. <c>sub</c> (OIDC Core §8): the account id for public-subject
/// clients; for pairwise clients base64url(SHA-256(sector host | account id | salt)). <c>sid</c>: see
/// <see cref="SessionIdForAsync"/>. The salt is a random per-deployment secret created once and stored
/// data-protected in <c>grants</c> (type deployment_secret), so every node computes the same values; with the
/// key ring encrypted (<c>Bridge:KeyRing</c>) a database dump alone does not reveal them.
/// </summary>
public sealed class SubjectResolver(IDbContextFactory<BridgeDbContext> factory, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string SaltKey = "deployment-secret:pairwise-salt";
    private readonly IDataProtector _protector = dataProtection.CreateProtector("IdentityBridge.PairwiseSalt.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _salt;

    public async ValueTask<string> SubjectForAsync(RegisteredClient client, string accountId, CancellationToken ct = default)
    {
        if (!client.IsPairwise) return accountId;
        var salt = _salt ?? await LoadSaltAsync(ct);
        var input = Encoding.UTF8.GetBytes(client.SectorHost + "|" + accountId + "|");
        var buffer = new byte[input.Length + salt.Length];
        input.CopyTo(buffer, 0);
        salt.CopyTo(buffer, input.Length);
        return UrlSafe.Encode(SHA256.HashData(buffer));
    }

    /// <summary>
    /// The <c>sid</c> a client sees for a bridge session, in its ID tokens, access tokens and logout tokens, and
    /// the one its id_token_hint is matched against. Public-subject clients get the session id (they see the
    /// account id as <c>sub</c> anyway). A pairwise client gets a value of its own,
    /// base64url(HMAC-SHA256(salt, "sid|" client id "|" session id)) cut to 128 bits: the same session id
    /// given to every client would link a pairwise subject to the user's identity at other clients (§8.1).
    /// </summary>
    public async ValueTask<string> SessionIdForAsync(RegisteredClient client, string sessionId, CancellationToken ct = default)
    {
        if (!client.IsPairwise) return sessionId;
        var salt = _salt ?? await LoadSaltAsync(ct);
        var mac = HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes("sid|" + client.ClientId + "|" + sessionId));
        return UrlSafe.Encode(mac.AsSpan(0, 16));
    }

    private async Task<byte[]> LoadSaltAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_salt is not null) return _salt;
            var key = TokenHashes.Key(SaltKey);
            await using var db = await factory.CreateDbContextAsync(ct);
            var row = await db.Grants.AsNoTracking().FirstOrDefaultAsync(g => g.Key == key, ct);
            if (row is null)
            {
                var fresh = RandomNumberGenerator.GetBytes(32);
                db.Grants.Add(new Grant
                {
                    Key = key,
                    Type = GrantTypes.DeploymentSecret,
                    ClientId = "",
                    CreatedAt = time.GetUtcNow(),
                    ExpiresAt = DateTimeOffset.MaxValue,
                    Data = System.Text.Json.JsonSerializer.Serialize(new { value = _protector.Protect(Convert.ToBase64String(fresh)) }),
                });
                try
                {
                    await db.SaveChangesAsync(ct);
                    return _salt = fresh;
                }
                catch (DbUpdateException)
                {
                    // Another node created it first: use theirs.
                }
                await using var again = await factory.CreateDbContextAsync(ct);
                row = await again.Grants.AsNoTracking().FirstAsync(g => g.Key == key, ct);
            }
            using var doc = System.Text.Json.JsonDocument.Parse(row.Data);
            return _salt = Convert.FromBase64String(_protector.Unprotect(doc.RootElement.GetProperty("value").GetString()!));
        }
        finally
        {
            _gate.Release();
        }
    }
}
