using System.Security.Claims;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Validates access tokens this bridge issued (RFC 9068): signature with our keys, <c>typ</c> at+jwt,
/// <c>iss</c> our issuer, not expired, account still active and token not revoked. Used by userinfo,
/// introspection and the admin API. (Resource servers validate the JWT alone against our JWKS; the
/// revocation and account checks are what this adds.)
/// </summary>
public sealed class AccessTokenValidator(
    OwnTokenReader reader,
    GrantStore grants,
    ClientStore clients,
    IDbContextFactory<BridgeDbContext> factory,
    IDataProtectionProvider dataProtection,
    TimeProvider time)
{
    /// <summary>Claim added to the returned principal (never in the token): the local account id, for user tokens.</summary>
    public const string AccountIdClaim = "bridge_account_id";

    private readonly IDataProtector _accountProtector = dataProtection.CreateProtector(TokenIssuer.AccountProtectionPurpose);

    /// <summary>The token's principal (claims as issued, plus <see cref="AccountIdClaim"/> for user tokens), or null when it is not valid.</summary>
    public async Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken ct = default) =>
        (await ValidateTokenAsync(token, ct))?.Principal;

    /// <summary>
    /// The validated token with its principal, or null. A user token's account must be active; a caller that
    /// reads the account anyway and refuses it unless active (userinfo) sets <paramref name="callerChecksAccount"/>
    /// and saves the extra read.
    /// </summary>
    public async Task<ValidatedAccessToken?> ValidateTokenAsync(string? token, CancellationToken ct = default, bool callerChecksAccount = false)
    {
        var jwt = await reader.ReadAsync(token, "at+jwt", "application/at+jwt");
        if (jwt is null) return null;
        if (!NumericDate.TryGet(jwt, "exp", out var exp) || exp <= time.GetUtcNow()) return null;
        if (!jwt.TryGetPayloadValue<string>("client_id", out var clientId) || await clients.FindEnabledAsync(clientId, ct) is null) return null;
        jwt.TryGetPayloadValue<string>("jti", out var jti);
        var family = jwt.TryGetPayloadValue<string>(TokenIssuer.FamilyClaim, out var f) ? f : null;
        if (await grants.IsAccessTokenRevokedAsync(family, jti, ct)) return null;

        string? accountId = null;
        if (family is not null)
        {
            accountId = AccountIdOf(jwt);
            if (accountId is null) return null;
            if (!callerChecksAccount)
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                if (!await HotQueries.AccountIsActive(db, accountId, ct)) return null;
            }
        }

        var identity = new ClaimsIdentity(jwt.Claims.Where(c => c.Type is not (TokenIssuer.ProtectedAccountClaim or AccountIdClaim)), "Bearer", "sub", "roles");
        if (accountId is not null) identity.AddClaim(new Claim(AccountIdClaim, accountId));
        return new ValidatedAccessToken(jwt, new ClaimsPrincipal(identity), clientId, accountId, family, jti, exp);
    }

    private string? AccountIdOf(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<string>(TokenIssuer.ProtectedAccountClaim, out var protectedId))
            return jwt.Subject;
        try
        {
            return _accountProtector.Unprotect(protectedId);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>A valid access token: the parsed JWT, its principal and the facts the endpoints need.</summary>
public sealed record ValidatedAccessToken(
    JsonWebToken Token,
    ClaimsPrincipal Principal,
    string ClientId,
    /// <summary>The account of a user token; null for a client token.</summary>
    string? AccountId,
    string? FamilyId,
    string? Jti,
    DateTimeOffset ExpiresAt)
{
    public IReadOnlyList<string> Scopes => Protocol.OidcScopes.Parse(Token.TryGetPayloadValue<string>("scope", out var s) ? s : null);
}
