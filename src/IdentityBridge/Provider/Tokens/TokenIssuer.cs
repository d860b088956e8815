using IdentityBridge.Accounts;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Mints the standard token response for an account (or a client) and a set of scopes: an RFC 9068
/// access token, an OIDC ID token when openid was granted, and a rotating refresh token when asked.
/// Grant handlers of other modules (CIBA, token exchange) call it after their own validation.
/// Every issuance is audited (token.issued) except the high-volume, machine-to-machine ones: refresh
/// and client_credentials.
/// </summary>
public sealed class TokenIssuer(
    BridgeDbContext db,
    JwtSigner signer,
    ProviderUrls urls,
    SubjectResolver subjects,
    GrantStore grants,
    SessionService sessions,
    AuditLog audit,
    IDataProtectionProvider dataProtection,
    IOptions<BridgeOptions> options,
    TimeProvider time)
{
    /// <summary>Access token claim holding the grant family (revocation of a family reaches its access tokens).</summary>
    public const string FamilyClaim = "fam";

    /// <summary>Access token claim with the data-protected account id, present only for pairwise clients.</summary>
    public const string ProtectedAccountClaim = "acct";

    /// <summary>Access token claim listing the claims the authorize request asked for userinfo by name (OIDC Core §5.5).</summary>
    public const string UserInfoClaimsClaim = "userinfo_claims";

    internal const string AccountProtectionPurpose = "IdentityBridge.AccessTokenAccount.v1";

    public async Task<TokenResult> IssueAsync(TokenIssueRequest request, CancellationToken ct = default)
    {
        var client = request.Client;
        var now = time.GetUtcNow();
        var scopes = request.Scopes.Distinct(StringComparer.Ordinal).ToList();
        var scope = OidcScopes.Join(scopes);
        var audience = request.Resource ?? client.ClientId;
        // Admin power goes only to the admin API: a token with its scope has that API as its sole audience.
        if (scopes.Contains(AdminApiResource.Scope) || request.Resource == urls.AdminApi)
        {
            if (request.Resource is not null && request.Resource != urls.AdminApi)
                return TokenResult.Failure(ProtocolErrors.InvalidTarget,
                    $"The {AdminApiResource.Scope} scope is for the admin API ({urls.AdminApi}) only: ask for it without another resource.");
            audience = urls.AdminApi;
        }
        var jti = UrlSafe.NewId(16);
        var accessLifetime = client.AccessTokenLifetime;

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = urls.Issuer,
            ["aud"] = audience,
            ["client_id"] = client.ClientId,
            ["scope"] = scope,
            ["jti"] = jti,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + accessLifetime).ToUnixTimeSeconds(),
        };
        // RFC 9449 §6.1: the token is bound to the proof's key, and §5 names its type.
        if (request.DPoPJkt is { } jkt) claims["cnf"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["jkt"] = jkt };
        var tokenType = request.DPoPJkt is null ? "Bearer" : DPoPProofValidator.Scheme;

        if (request.AccountId is null)
        {
            claims["sub"] = client.ClientId;
            var clientToken = signer.Sign(claims, signer.DefaultAlgorithm, "at+jwt");
            if (request.GrantType != GrantTypeNames.ClientCredentials)
                await audit.WriteAsync(AuditTypes.TokenIssued, client.ClientId, clientId: client.ClientId, details: new { grant = request.GrantType, scope, jti }, ct: ct);
            return TokenResult.Success(new TokenResponse { AccessToken = clientToken, TokenType = tokenType, ExpiresIn = (int)accessLifetime.TotalSeconds, Scope = scope, AccessTokenId = jti });
        }

        var login = request.Login ?? throw new ArgumentException("Login facts are required for a user token.", nameof(request));
        // Claims asked for by name are released only within the scopes the client is (still) allowed.
        var idTokenClaims = AllowedClaims(client, request.Claims?.IdToken);
        var userInfoClaims = AllowedClaims(client, request.Claims?.UserInfo);
        var readScopes = UserClaims.ScopesWith(scopes, [.. idTokenClaims, .. userInfoClaims]);
        var account = request.Account is { } known && known.Id == request.AccountId && HotQueries.CollectionsFor(readScopes) == (false, false)
            ? known
            : await HotQueries.AccountForScopes(db, request.AccountId, readScopes, ct);
        if (account is null || account.Status != AccountStatus.Active)
            return TokenResult.Failure(ProtocolError.InvalidGrant("The account is not active."));
        // Enrolment holds at every issuance, as at authorize: a code or refresh token obtained while the
        // account was enrolled stops working for an AllowList client once an administrator withdraws it.
        var provisioning = ProvisioningRules.Parse(client.Provisioning) ?? options.Value.Provisioning;
        if (!ProvisioningRules.AdmitsLogin(provisioning, account, login.Wallet, options.Value))
            return TokenResult.Failure(ProtocolError.InvalidGrant("The account is not enrolled for this application."));

        var subject = await subjects.SubjectForAsync(client, account.Id, ct);
        var sid = login.SessionId is null ? null : await subjects.SessionIdForAsync(client, login.SessionId, ct);
        var familyId = request.FamilyId ?? UrlSafe.NewId(16);
        claims["sub"] = subject;
        claims["auth_time"] = login.AuthTime.ToUnixTimeSeconds();
        claims["acr"] = login.EffectiveAcr;
        claims["amr"] = login.Amr.ToArray();
        if (sid is not null) claims["sid"] = sid;
        claims[FamilyClaim] = familyId;
        if (client.IsPairwise) claims[ProtectedAccountClaim] = dataProtection.CreateProtector(AccountProtectionPurpose).Protect(account.Id);
        if (scopes.Contains(OidcScopes.Roles))
            claims["roles"] = account.Roles.Select(r => r.Role).Order(StringComparer.Ordinal).ToArray();
        // The login's wallet and network are known from the token alone, at userinfo too.
        var walletScope = scopes.Contains(OidcScopes.Wallet);
        if (login.Wallet is not null && (walletScope || userInfoClaims.Contains("xrpl_address"))) claims["xrpl_address"] = login.Wallet;
        if (login.Network is not null && (walletScope || userInfoClaims.Contains("xrpl_network"))) claims["xrpl_network"] = login.Network;
        // What userinfo returns beyond the token's scopes: the claims asked for there by name.
        if (userInfoClaims.Count > 0) claims[UserInfoClaimsClaim] = userInfoClaims.ToArray();
        var accessToken = signer.Sign(claims, signer.DefaultAlgorithm, "at+jwt");

        string? idToken = null;
        if (request.IncludeIdToken && scopes.Contains(OidcScopes.OpenId))
        {
            var id = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["iss"] = urls.Issuer,
                ["sub"] = subject,
                ["aud"] = client.ClientId,
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = (now + client.IdTokenLifetime).ToUnixTimeSeconds(),
                ["auth_time"] = login.AuthTime.ToUnixTimeSeconds(),
                ["acr"] = login.EffectiveAcr,
                ["amr"] = login.Amr.ToArray(),
                ["at_hash"] = TokenHashes.AtHash(accessToken),
            };
            if (request.Nonce is not null) id["nonce"] = request.Nonce;
            if (sid is not null) id["sid"] = sid;
            foreach (var (key, value) in UserClaims.For(account, scopes, idTokenClaims, login.Wallet, login.Network)) id[key] = value;
            idToken = signer.Sign(id, client.IdTokenSigningAlg, "JWT");
        }

        string? refreshToken = null;
        var refreshScopes = (request.RefreshTokenScopes ?? scopes).Distinct(StringComparer.Ordinal).ToList();
        var offline = refreshScopes.Contains(OidcScopes.OfflineAccess);
        var wantsRefresh = request.IssueRefreshToken ?? offline;
        if (wantsRefresh && client.AllowsGrant(GrantTypeNames.RefreshToken))
        {
            var familyCreated = request.FamilyCreatedAt ?? now;
            var sliding = now + client.RefreshTokenSlidingLifetime;
            var absolute = familyCreated + client.RefreshTokenAbsoluteLifetime;
            var expires = sliding < absolute ? sliding : absolute;
            if (expires > now)
            {
                // RFC 9449 §5: a public client's refresh token is bound to the key; a confidential client's is bound by its authentication.
                var data = new RefreshTokenData(refreshScopes, login, familyCreated, request.Resource, offline) { DPoPJkt = client.IsPublic ? request.DPoPJkt : null, Claims = request.Claims };
                refreshToken = ConsumedBy(request) is ({ } consumed, var consumedType)
                    ? await grants.RotateRefreshTokenAsync(consumed, consumedType, client.ClientId, account.Id, familyId, data, expires, ct)
                    : await grants.CreateRefreshTokenAsync(client.ClientId, account.Id, familyId, data, expires, ct);
                if (refreshToken is null) return TokenResult.LostRotation();
            }
        }
        // A new family with no refresh token (CIBA, token exchange) has no row of its own: record one for the access
        // token's lifetime, so that disabling the account or unlinking the wallet reaches this token too.
        if (refreshToken is null && request.FamilyId is null)
            await grants.RecordIssuedFamilyAsync(client.ClientId, account.Id, familyId, login, now + accessLifetime, ct);
        // A rotation without a successor (the family's absolute lifetime is over) still uses the token up, and a code
        // redeemed without a refresh token is used up all the same.
        if (refreshToken is null && ConsumedBy(request).Key is { } used && !await grants.TryConsumeAsync(used, ct))
            return TokenResult.LostRotation();

        // A refresh continues a family whose first issue already recorded the client in the session.
        if (login.SessionId is not null && request.GrantType != GrantTypeNames.RefreshToken)
            await sessions.AddClientAsync(login.SessionId, client.ClientId, ct);
        if (request.GrantType != GrantTypeNames.RefreshToken)
            await audit.WriteAsync(AuditTypes.TokenIssued, client.ClientId, account.Id, client.ClientId,
                details: new { grant = request.GrantType, scope, jti, sid = login.SessionId, refresh = refreshToken is not null }, ct: ct);

        return TokenResult.Success(new TokenResponse
        {
            AccessToken = accessToken,
            TokenType = tokenType,
            ExpiresIn = (int)accessLifetime.TotalSeconds,
            IdToken = idToken,
            RefreshToken = refreshToken,
            Scope = scope,
            AccessTokenId = jti,
        });
    }

    private static List<string> AllowedClaims(Clients.RegisteredClient client, IReadOnlyList<string>? names) =>
        names is null ? [] : names.Where(n => UserClaims.ScopeOf(n) is { } scope && client.AllowedScopes.Contains(scope)).ToList();

    /// <summary>The stored grant this issue uses up, if any: the refresh token it rotates or the code it redeems.</summary>
    private static (string? Key, string Type) ConsumedBy(TokenIssueRequest request) =>
        request.RotatesRefreshTokenKey is { } rotated ? (rotated, GrantTypes.RefreshToken) : (request.RedeemsCodeKey, GrantTypes.AuthorizationCode);
}
