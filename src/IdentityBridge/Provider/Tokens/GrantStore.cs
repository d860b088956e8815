using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Authorization codes, refresh tokens and revocation markers in the <c>grants</c> table. Handles are
/// stored only as SHA-256. Redemption is one conditional UPDATE, so of two nodes racing only one wins.
/// </summary>
public sealed class GrantStore(IDbContextFactory<BridgeDbContext> factory, DatabaseConnection connection, TimeProvider time, RotationBatcher batcher)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>How long a family revocation marker is kept: the longest access token lifetime, plus skew.</summary>
    public static readonly TimeSpan MarkerLifetime = TimeSpan.FromSeconds(3600 + 120);

    public async Task<string> CreateCodeAsync(string clientId, string accountId, string familyId, AuthorizationCodeData data, CancellationToken ct = default)
    {
        var handle = TokenHashes.NewHandle();
        var now = time.GetUtcNow();
        await AddAsync(new Grant
        {
            Key = TokenHashes.Key(handle),
            Type = GrantTypes.AuthorizationCode,
            ClientId = clientId,
            AccountId = accountId,
            SessionId = data.Login.SessionId,
            FamilyId = familyId,
            CreatedAt = now,
            ExpiresAt = now + CodeLifetime,
            Data = GrantJson.Write(data),
        }, ct);
        return handle;
    }

    /// <summary>The prefix of a pushed authorization request's reference (RFC 9126 §2.2).</summary>
    public const string RequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

    /// <summary>
    /// Stores the parameters of a pushed authorization request for <paramref name="lifetime"/>; returns its
    /// request_uri, 256 random bits of which only the hash is stored.
    /// </summary>
    public async Task<string> CreatePushedAuthorizationAsync(string clientId, PushedAuthorizationData data, TimeSpan lifetime, CancellationToken ct = default)
    {
        var requestUri = RequestUriPrefix + TokenHashes.NewHandle();
        var now = time.GetUtcNow();
        await AddAsync(new Grant
        {
            Key = TokenHashes.Key(requestUri),
            Type = GrantTypes.PushedAuthorization,
            ClientId = clientId,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
            Data = GrantJson.Write(data),
        }, ct);
        return requestUri;
    }

    /// <summary>
    /// The pushed authorization request of <paramref name="requestUri"/>, when <paramref name="clientId"/> pushed it and
    /// it has neither expired nor been used; null otherwise. In the same statement it is kept until
    /// <paramref name="interaction"/> after the push, the time the login and consent it leads to may take: the
    /// lifetime of a request_uri bounds when it may be brought, not how long the user may take to sign in.
    /// </summary>
    public async Task<Grant?> OpenPushedAuthorizationAsync(string? requestUri, string clientId, TimeSpan interaction, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(requestUri) || requestUri.Length > 512) return null;
        var key = TokenHashes.Key(requestUri);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var span = (long)interaction.TotalMilliseconds;
        const string type = GrantTypes.PushedAuthorization;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Grants.FromSql($"""
            UPDATE grants SET expires_at = created_at + {span}
            WHERE "key" = {key} AND type = {type} AND client_id = {clientId}
              AND expires_at > {now} AND consumed_at IS NULL AND revoked_at IS NULL
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>Marks the pushed authorization request of <paramref name="requestUri"/> used. True for exactly one caller across all nodes.</summary>
    public async Task<bool> TryUsePushedAuthorizationAsync(string requestUri, CancellationToken ct = default)
    {
        var key = TokenHashes.Key(requestUri);
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Grants
            .Where(g => g.Key == key && g.Type == GrantTypes.PushedAuthorization && g.ConsumedAt == null && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.ConsumedAt, now), ct);
        return rows == 1;
    }

    /// <summary>Records a family of access tokens that no code or refresh token stands for, until <paramref name="expiresAt"/> (see <see cref="GrantTypes.IssuedFamily"/>).</summary>
    public Task RecordIssuedFamilyAsync(string clientId, string accountId, string familyId, LoginFacts login, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return AddAsync(new Grant
        {
            Key = TokenHashes.Key("issued:" + familyId),
            Type = GrantTypes.IssuedFamily,
            ClientId = clientId,
            AccountId = accountId,
            SessionId = login.SessionId,
            FamilyId = familyId,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Data = GrantJson.Write(new IssuedFamilyData(login)),
        }, ct);
    }

    public async Task<string> CreateRefreshTokenAsync(string clientId, string accountId, string familyId, RefreshTokenData data, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var handle = TokenHashes.NewHandle();
        await AddAsync(new Grant
        {
            Key = TokenHashes.Key(handle),
            Type = GrantTypes.RefreshToken,
            ClientId = clientId,
            AccountId = accountId,
            SessionId = data.Login.SessionId,
            FamilyId = familyId,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = expiresAt,
            Data = GrantJson.Write(data),
        }, ct);
        return handle;
    }

    /// <summary>
    /// Refresh token rotation, or the first refresh token of a code redemption: consumes the refresh token or the
    /// authorization code (<paramref name="consumedType"/>) stored under <paramref name="consumedKey"/> and stores
    /// the new refresh token, both or neither, in one transaction (one commit, one round trip on PostgreSQL, which a
    /// refresh token's rotation may share with concurrent ones: <see cref="RotationBatcher"/>).
    /// Returns the new token's handle for exactly one caller across all nodes, null for every other (the grant was
    /// used, revoked, expired, or lost the race). A token of a family revoked meanwhile is stored revoked, like every
    /// member stored after its family's marker (see <see cref="AddAsync"/>).
    /// </summary>
    public async Task<string?> RotateRefreshTokenAsync(string consumedKey, string consumedType, string clientId, string accountId, string familyId,
        RefreshTokenData data, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var handle = TokenHashes.NewHandle();
        var key = TokenHashes.Key(handle);
        var expires = expiresAt.ToUnixTimeMilliseconds();
        var json = GrantJson.Write(data);
        var session = data.Login.SessionId;
        // Refresh token rotations, the bulk of this work on a busy node, go to the database in batches.
        if (connection.Provider == DatabaseProvider.Postgres && consumedType == GrantTypes.RefreshToken)
            return await batcher.RotateAsync(new RotationBatcher.Rotation(consumedKey, clientId, key, accountId, session, familyId, expires, json), ct)
                ? handle : null;

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        const string type = GrantTypes.RefreshToken;
        const string marker = GrantTypes.FamilyRevocation;
        await using var db = await factory.CreateDbContextAsync(ct);
        if (connection.Provider == DatabaseProvider.Postgres)
        {
            // The INSERT reads the UPDATE's result, so the successor exists only if this statement consumed the code.
            var inserted = await db.Database.ExecuteSqlAsync($"""
                WITH consumed AS (
                    UPDATE grants SET consumed_at = {now}
                    WHERE "key" = {consumedKey} AND type = {consumedType} AND client_id = {clientId}
                      AND expires_at > {now} AND consumed_at IS NULL AND revoked_at IS NULL
                    RETURNING "key")
                INSERT INTO grants ("key", type, client_id, account_id, session_id, family_id, created_at, expires_at, data, revoked_at)
                SELECT {key}, {type}, {clientId}, {accountId}, {session}, {familyId}, {now}, {expires}, {json},
                       CASE WHEN EXISTS (SELECT 1 FROM grants m WHERE m.family_id = {familyId} AND m.type = {marker}) THEN {now} END
                FROM consumed
                """, ct);
            return inserted == 1 ? handle : null;
        }

        // SQLite has no data-modifying CTE; the one writer makes the two statements in a transaction just as atomic.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var consumed = await db.Database.ExecuteSqlAsync($"""
            UPDATE grants SET consumed_at = {now}
            WHERE "key" = {consumedKey} AND type = {consumedType} AND client_id = {clientId}
              AND expires_at > {now} AND consumed_at IS NULL AND revoked_at IS NULL
            """, ct);
        if (consumed != 1) return null;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO grants ("key", type, client_id, account_id, session_id, family_id, created_at, expires_at, data, revoked_at)
            VALUES ({key}, {type}, {clientId}, {accountId}, {session}, {familyId}, {now}, {expires}, {json},
                    CASE WHEN EXISTS (SELECT 1 FROM grants m WHERE m.family_id = {familyId} AND m.type = {marker}) THEN {now} END)
            """, ct);
        await transaction.CommitAsync(ct);
        return handle;
    }

    /// <summary>The grant behind a handle, of the given type, or null.</summary>
    public async Task<Grant?> FindAsync(string? handle, string type, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(handle) || handle.Length > 512) return null;
        var key = TokenHashes.Key(handle);
        await using var db = await factory.CreateDbContextAsync(ct);
        return await HotQueries.GrantByKey(db, key, type, ct);
    }

    /// <summary>
    /// Like <see cref="FindAsync"/>, with the grant's account read in the same round trip (its roles and
    /// wallets are not loaded); the account is null when the grant has none or it was deleted.
    /// FamilyRevoked is true when the grant's family was revoked, even if the grant's own row was stored too
    /// late for the revocation to mark it (a revocation racing a rotation on PostgreSQL): such a grant must be
    /// refused as revoked.
    /// </summary>
    public async Task<(Grant? Grant, Account? Account, bool FamilyRevoked)> FindWithAccountAsync(string? handle, string type, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(handle) || handle.Length > 512) return (null, null, false);
        var key = TokenHashes.Key(handle);
        await using var db = await factory.CreateDbContextAsync(ct);
        var found = await HotQueries.GrantWithAccountByKey(db, key, type, ct);
        return (found?.Grant, found?.Account, found?.FamilyRevoked ?? false);
    }

    /// <summary>Marks a grant consumed. True for exactly one caller across all nodes.</summary>
    public async Task<bool> TryConsumeAsync(string key, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Grants
            .Where(g => g.Key == key && g.ConsumedAt == null && g.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.ConsumedAt, now), ct);
        return rows == 1;
    }

    /// <summary>
    /// Revokes every grant of a family and records a marker, so access tokens of the family stop validating too.
    /// The marker comes first: a member stored from then on is stored revoked (<see cref="AddAsync"/>), and
    /// one stored meanwhile that the UPDATE cannot see (it was not committed yet) is refused by the marker when
    /// it is read (<see cref="FindWithAccountAsync"/>). The cleanup keeps the marker while any member of the
    /// family could still be valid.
    /// </summary>
    public async Task RevokeFamilyAsync(string familyId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await TryAddAsync(new Grant
        {
            Key = FamilyMarkerKey(familyId),
            Type = GrantTypes.FamilyRevocation,
            ClientId = "",
            FamilyId = familyId,
            CreatedAt = now,
            ExpiresAt = now + MarkerLifetime,
            RevokedAt = now,
            Data = "{}",
        }, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Grants.Where(g => g.FamilyId == familyId && g.RevokedAt == null && g.Type != GrantTypes.FamilyRevocation)
            .ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, now), ct);
    }

    /// <summary>Records the revocation of one access token until it would have expired.</summary>
    public Task RevokeAccessTokenAsync(string jti, string clientId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return TryAddAsync(new Grant
        {
            Key = JtiMarkerKey(jti),
            Type = GrantTypes.AccessTokenRevocation,
            ClientId = clientId,
            CreatedAt = now,
            ExpiresAt = expiresAt > now ? expiresAt : now,
            RevokedAt = now,
            Data = "{}",
        }, ct);
    }

    /// <summary>True when the token's family or its jti was revoked. One primary-key look-up.</summary>
    public async Task<bool> IsAccessTokenRevokedAsync(string? familyId, string? jti, CancellationToken ct = default)
    {
        var family = familyId is null ? null : FamilyMarkerKey(familyId);
        var token = jti is null ? null : JtiMarkerKey(jti);
        if (family is null && token is null) return false;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await HotQueries.AnyGrantKey(db, family ?? token!, token ?? family!, ct);
    }

    /// <summary>
    /// Revokes the refresh tokens of a session: the session-bound ones only (logout), or all of them,
    /// offline_access included (an administrator revoking the session). Either way the authorization codes
    /// issued in the session and not yet redeemed go too: the sign-in they stand for did not complete while
    /// the session lived, and an ID token naming the ended session must not be issued after its logout.
    /// </summary>
    public async Task<int> RevokeSessionTokensAsync(string sessionId, bool includeOffline, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        List<Grant> grants;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            grants = await db.Grants.AsNoTracking()
                .Where(g => g.SessionId == sessionId && g.RevokedAt == null &&
                            (g.Type == GrantTypes.RefreshToken ||
                             (g.Type == GrantTypes.AuthorizationCode && g.ConsumedAt == null && g.ExpiresAt > now)))
                .ToListAsync(ct);
        }
        var families = grants
            .Where(g => includeOffline || g.Type == GrantTypes.AuthorizationCode || GrantJson.Read<RefreshTokenData>(g.Data) is not { Offline: true })
            .Select(g => g.FamilyId).OfType<string>().Distinct().ToList();
        foreach (var family in families)
            await RevokeFamilyAsync(family, ct);
        return families.Count;
    }

    /// <summary>
    /// Revokes every grant family of an account that was established by signing in with
    /// <paramref name="wallet"/> (its codes and refresh tokens, offline_access included, and through the
    /// family marker the access tokens issued from them): after the wallet is unlinked, nothing obtained
    /// with it may go on asserting it. Returns the number of families revoked.
    /// </summary>
    public async Task<int> RevokeWalletTokensAsync(string accountId, string wallet, CancellationToken ct = default)
    {
        var since = time.GetUtcNow() - MarkerLifetime;
        List<Grant> grants;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            // A grant that ended more than an access token lifetime ago can have nothing live left.
            grants = await db.Grants.AsNoTracking()
                .Where(g => g.AccountId == accountId && (g.Type == GrantTypes.RefreshToken || g.Type == GrantTypes.AuthorizationCode || g.Type == GrantTypes.IssuedFamily)
                            && g.RevokedAt == null && g.FamilyId != null && (g.ExpiresAt > since || g.CreatedAt > since))
                .ToListAsync(ct);
        }
        var families = grants
            .Where(g => WalletOf(g) == wallet)
            .Select(g => g.FamilyId!).Distinct().ToList();
        foreach (var family in families)
            await RevokeFamilyAsync(family, ct);
        return families.Count;
    }

    /// <summary>
    /// Revokes every grant family of an account that may still have live tokens (its codes and refresh
    /// tokens, also those already stamped revoked, and through the family marker the access tokens issued
    /// from them): what a disabled account held stays revoked once it is enabled again. Returns the number
    /// of families.
    /// </summary>
    public async Task<int> RevokeAccountTokensAsync(string accountId, CancellationToken ct = default)
    {
        var since = time.GetUtcNow() - MarkerLifetime;
        List<string> families;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            // A grant that ended more than an access token lifetime ago can have nothing live left.
            families = await db.Grants.AsNoTracking()
                .Where(g => g.AccountId == accountId && (g.Type == GrantTypes.RefreshToken || g.Type == GrantTypes.AuthorizationCode || g.Type == GrantTypes.IssuedFamily)
                            && g.FamilyId != null && g.ExpiresAt > since && (g.RevokedAt == null || g.RevokedAt > since))
                .Select(g => g.FamilyId!).Distinct().ToListAsync(ct);
        }
        foreach (var family in families)
            await RevokeFamilyAsync(family, ct);
        return families.Count;
    }

    private static string? WalletOf(Grant grant) => grant.Type switch
    {
        GrantTypes.RefreshToken => GrantJson.Read<RefreshTokenData>(grant.Data)?.Login.Wallet,
        GrantTypes.IssuedFamily => GrantJson.Read<IssuedFamilyData>(grant.Data)?.Login.Wallet,
        _ => GrantJson.Read<AuthorizationCodeData>(grant.Data)?.Login.Wallet,
    };

    /// <summary>Remembers a client assertion's jti until it expires. False when it was seen before (replay).</summary>
    public Task<bool> TryRecordAssertionAsync(string clientId, string jti, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return TryAddAsync(new Grant
        {
            Key = TokenHashes.Key("assertion:" + clientId + ":" + jti),
            Type = GrantTypes.ClientAssertion,
            ClientId = clientId,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Data = "{}",
        }, ct);
    }

    /// <summary>
    /// Remembers a DPoP proof's jti (per key thumbprint) until <paramref name="expiresAt"/>, with a primary-key insert:
    /// false when it was seen before, on this node or another sharing the database (RFC 9449 §11.1).
    /// </summary>
    public Task<bool> TryRecordDPoPProofAsync(string jkt, string jti, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        return TryAddAsync(new Grant
        {
            Key = TokenHashes.Key("dpop:" + jkt + ":" + jti),
            Type = GrantTypes.DPoPProof,
            ClientId = "",
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Data = "{}",
        }, ct);
    }

    private static string FamilyMarkerKey(string familyId) => TokenHashes.Key("family:" + familyId);

    private static string JtiMarkerKey(string jti) => TokenHashes.Key("jti:" + jti);

    /// <summary>
    /// Stores a new code or refresh token with one INSERT, bypassing the change tracker and the update
    /// pipeline: one runs on every login and every first refresh token. A member of a family already revoked
    /// (a code redeemed a second time while the first redemption was still issuing) is stored revoked.
    /// </summary>
    private async Task AddAsync(Grant grant, CancellationToken ct)
    {
        var created = grant.CreatedAt.ToUnixTimeMilliseconds();
        var expires = grant.ExpiresAt.ToUnixTimeMilliseconds();
        const string marker = GrantTypes.FamilyRevocation;
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO grants ("key", type, client_id, account_id, session_id, family_id, created_at, expires_at, data, revoked_at)
            VALUES ({grant.Key}, {grant.Type}, {grant.ClientId}, {grant.AccountId}, {grant.SessionId}, {grant.FamilyId}, {created}, {expires}, {grant.Data},
                    CASE WHEN EXISTS (SELECT 1 FROM grants m WHERE m.family_id = {grant.FamilyId} AND m.type = {marker}) THEN {created} END)
            """, ct);
    }

    private async Task<bool> TryAddAsync(Grant grant, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Grants.AnyAsync(g => g.Key == grant.Key, ct)) return false;
        db.Grants.Add(grant);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }
}
