using System.Security.Cryptography;
using System.Text;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.UserTokens;

/// <summary>A live user token, decrypted for one use.</summary>
public sealed record LiveUserToken(long Id, string AccountId, string Wallet, string Token, string TokenHash, DateTimeOffset ExpiresAt);

/// <summary>
/// Xumm user tokens per account and wallet, encrypted at rest (data protection) and found by their SHA-256.
/// A token lives <see cref="PayloadSignInOptions.UserTokenLifetime"/> after the last payload signed with it;
/// one that is expired, revoked in the app (a push comes back <c>pushed: false</c>) or reported inactive by
/// <c>POST /user-tokens</c> is dropped (<c>revoked_at</c> set) and never used again.
/// </summary>
public sealed class UserTokenStore(
    BridgeDbContext db,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    AuditLog audit,
    IOptions<PayloadSignInOptions> options,
    ILogger<UserTokenStore> logger)
{
    internal const string ProtectionPurpose = "IdentityBridge.XummUserToken.v1";
    private const int VerifyBatch = 50;
    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);

    public static string Hash(string token) => UrlSafe.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// A payload was signed by <paramref name="wallet"/> at <paramref name="signedAt"/>: stores the token it
    /// issued (when any) and moves every live token of the wallet to expire a full lifetime after the
    /// signature (or at <paramref name="reportedExpiry"/>, the platform's own figure, when it gave one). False
    /// when no account holds the wallet yet (the caller keeps the token until one does).
    /// </summary>
    public async Task<bool> RecordSignatureAsync(string wallet, string? issuedToken, DateTimeOffset signedAt, DateTimeOffset? reportedExpiry, CancellationToken ct)
    {
        var accountId = await db.Wallets.Where(w => w.Address == wallet).Select(w => w.AccountId).FirstOrDefaultAsync(ct);
        if (accountId is null) return false;
        await RecordForAccountAsync(accountId, wallet, issuedToken, signedAt, reportedExpiry, ct);
        return true;
    }

    /// <summary>As <see cref="RecordSignatureAsync"/>, for a known account (after the sign-in mapped it).</summary>
    public async Task RecordForAccountAsync(string accountId, string wallet, string? issuedToken, DateTimeOffset signedAt, DateTimeOffset? reportedExpiry, CancellationToken ct)
    {
        var lifetime = options.Value.UserTokenLifetime;
        // The platform's figure is taken when it is plausible (after the signature, within a lifetime and a day of it).
        var expiresAt = reportedExpiry is { } reported && reported > signedAt && reported <= signedAt + lifetime + TimeSpan.FromDays(1)
            ? reported
            : signedAt + lifetime;
        var now = time.GetUtcNow();
        if (issuedToken is { Length: > 0 and <= 200 })
        {
            var hash = Hash(issuedToken);
            var row = await db.UserTokens.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
            if (row is null)
            {
                db.UserTokens.Add(new UserToken
                {
                    AccountId = accountId,
                    Wallet = wallet,
                    TokenHash = hash,
                    ProtectedToken = _protector.Protect(issuedToken),
                    IssuedAt = signedAt,
                    ExpiresAt = expiresAt,
                });
            }
            else
            {
                // A fresh signature proves the token is live, even one dropped on a false alarm.
                row.AccountId = accountId;
                row.Wallet = wallet;
                row.RevokedAt = null;
                if (expiresAt > row.ExpiresAt) row.ExpiresAt = expiresAt;
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Stored concurrently (webhook and browser at once): theirs stands.
                db.ChangeTracker.Clear();
            }
            // The platform keeps one token per user and application: older ones of this wallet are superseded.
            await db.UserTokens.Where(t => t.Wallet == wallet && t.TokenHash != hash && t.RevokedAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, now), ct);
        }
        await db.UserTokens.Where(t => t.Wallet == wallet && t.RevokedAt == null && t.ExpiresAt > now && t.ExpiresAt < expiresAt)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ExpiresAt, expiresAt), ct);
    }

    /// <summary>The live token for <paramref name="wallet"/>, or null.</summary>
    public async Task<LiveUserToken?> FindLiveAsync(string wallet, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.UserTokens.AsNoTracking()
            .Where(t => t.Wallet == wallet && t.RevokedAt == null && t.ExpiresAt > now)
            .OrderByDescending(t => t.ExpiresAt).Take(3).ToListAsync(ct);
        return await FirstReadableAsync(rows, ct);
    }

    /// <summary>The live token of an account (any of its wallets; the one used most recently), or null.</summary>
    public async Task<LiveUserToken?> FindLiveForAccountAsync(string accountId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.UserTokens.AsNoTracking()
            .Where(t => t.AccountId == accountId && t.RevokedAt == null && t.ExpiresAt > now)
            .Where(t => db.Wallets.Any(w => w.Address == t.Wallet && w.AccountId == accountId))
            .OrderByDescending(t => t.ExpiresAt).Take(3).ToListAsync(ct);
        return await FirstReadableAsync(rows, ct);
    }

    /// <summary>Never uses the token again (revoked in the app, expired, or unreadable).</summary>
    public async Task DropAsync(string tokenHash, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var row = await db.UserTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == tokenHash && t.RevokedAt == null, ct);
        if (row is null) return;
        await db.UserTokens.Where(t => t.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAt, now), ct);
        await audit.WriteAsync(SignInAuditTypes.UserTokenDropped, "system", row.AccountId, reason: reason, details: new { wallet = row.Wallet }, ct: ct);
    }

    /// <summary>
    /// Drops expired tokens, then asks the platform which live ones still work (POST /user-tokens) and drops
    /// the rest. Returns how many were dropped.
    /// </summary>
    public async Task<int> SweepAsync(XummPlatformClient xumm, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expired = await db.UserTokens.AsNoTracking().Where(t => t.RevokedAt == null && t.ExpiresAt <= now).Select(t => t.TokenHash).ToListAsync(ct);
        foreach (var hash in expired) await DropAsync(hash, "expired", ct);

        var dropped = expired.Count;
        long lastId = 0;
        while (true)
        {
            var batch = await db.UserTokens.AsNoTracking().Where(t => t.RevokedAt == null && t.Id > lastId)
                .OrderBy(t => t.Id).Take(VerifyBatch).ToListAsync(ct);
            if (batch.Count == 0) break;
            lastId = batch[^1].Id;
            var plain = new Dictionary<string, UserToken>(StringComparer.Ordinal);
            foreach (var row in batch)
                if (TryUnprotect(row.ProtectedToken) is { } token) plain[token] = row;
                else
                {
                    await DropAsync(row.TokenHash, "unreadable", ct);
                    dropped++;
                }
            var answer = await xumm.VerifyUserTokensAsync(plain.Keys, ct);
            if (!answer.IsSuccess)
            {
                logger.LogWarning("User token check failed ({Kind}); will try again at the next sweep", answer.Error.Kind);
                break;
            }
            foreach (var status in answer.Value)
                if (!status.Active && plain.TryGetValue(status.UserToken, out var row))
                {
                    await DropAsync(row.TokenHash, "inactive", ct);
                    dropped++;
                }
        }
        return dropped;
    }

    private async Task<LiveUserToken?> FirstReadableAsync(List<UserToken> rows, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            if (TryUnprotect(row.ProtectedToken) is { } token)
                return new LiveUserToken(row.Id, row.AccountId, row.Wallet, token, row.TokenHash, row.ExpiresAt);
            await DropAsync(row.TokenHash, "unreadable", ct);
        }
        return null;
    }

    private string? TryUnprotect(string value)
    {
        try
        {
            return _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
