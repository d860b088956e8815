using IdentityBridge.Audit;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Provider.Grants;

/// <summary>
/// refresh_token (RFC 6749 §6, RFC 9700 §4.14): every use rotates the token (the old one is consumed
/// atomically, the new one joins the same family); presenting a rotated token revokes the whole family.
/// Sliding lifetime per use, absolute lifetime from the family's first issue. scope may narrow, never
/// widen. resource (RFC 8707) can only name the resource of the original grant, and the access token is for
/// that resource either way. A disabled account fails at once; a session-bound token (no offline_access) fails
/// once its session ended.
/// </summary>
public sealed class RefreshTokenGrant(
    GrantStore grants,
    TokenIssuer issuer,
    SessionService sessions,
    AuditLog audit,
    TimeProvider time) : IGrantHandler
{
    public string GrantType => GrantTypeNames.RefreshToken;

    public async Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct)
    {
        var client = context.Client;
        var token = context["refresh_token"];
        if (token is null) return Fail(ProtocolErrors.InvalidRequest, "The refresh_token parameter is missing.");
        // The account and the family's revocation come with the token: the issuer needs the account, and one
        // round trip is cheaper than two. A token stored after its family was revoked is revoked too (RFC 9700
        // §4.14.2, RFC 7009 §2.1), though its own row may not say so.
        var (grant, account, familyRevoked) = await grants.FindWithAccountAsync(token, GrantTypes.RefreshToken, ct);
        if (grant is null || grant.ClientId != client.ClientId || grant.AccountId is null) return Fail(ProtocolErrors.InvalidGrant, "The refresh token is invalid.");
        if (grant.RevokedAt is not null || familyRevoked) return Fail(ProtocolErrors.InvalidGrant, "The refresh token was revoked.");

        if (grant.ConsumedAt is not null) return await ReuseAsync(grant, ct);
        if (grant.ExpiresAt <= time.GetUtcNow()) return Fail(ProtocolErrors.InvalidGrant, "The refresh token has expired.");

        var data = GrantJson.Read<RefreshTokenData>(grant.Data);
        if (data is null) return Fail(ProtocolErrors.InvalidGrant, "The refresh token is invalid.");
        // RFC 9449 §5: a bound refresh token is used with a proof of its key only; refused, it is not used up.
        if (data.DPoPJkt is not null && context.DPoPJkt != data.DPoPJkt)
            return context.DPoPJkt is null
                ? Fail(ProtocolErrors.InvalidDPoPProof, "This refresh token is bound to a DPoP key: send a DPoP proof of that key.")
                : Fail(ProtocolErrors.InvalidGrant, "The refresh token is bound to another DPoP key.");
        if (!data.Offline && (data.Login.SessionId is null || await sessions.FindActiveAsync(data.Login.SessionId, ct) is null))
            return Fail(ProtocolErrors.InvalidGrant, "The session of this refresh token has ended.");

        var scopes = data.Scopes;
        if (context["scope"] is { } requested)
        {
            var narrowed = OidcScopes.Parse(requested);
            if (narrowed.Count == 0) return Fail(ProtocolErrors.InvalidScope, OidcScopes.NoScopeNamed);
            if (narrowed.FirstOrDefault(s => !data.Scopes.Contains(s)) is { } wider)
                return Fail(ProtocolErrors.InvalidScope, $"The scope '{ErrorDescription.Echo(wider)}' was not granted to this refresh token.");
            scopes = narrowed;
        }
        // RFC 8707 §2.2: the refresh token stands for the original grant, so a refresh can only ask for a
        // resource that grant was for (as the code redemption can); the successor keeps that resource too.
        var resource = data.Resource;
        if (context["resource"] is { } target && target != resource)
            return Fail(ProtocolErrors.InvalidTarget, "resource must be the one of the original grant.");

        // Rotation: the issuer consumes this token in the transaction that stores its successor; of
        // concurrent requests only one can, and the others presented a token already used.
        var result = await issuer.IssueAsync(new TokenIssueRequest
        {
            Client = client,
            GrantType = GrantType,
            AccountId = grant.AccountId,
            Account = account,
            Scopes = scopes,
            Claims = data.Claims,
            Login = data.Login,
            Resource = resource,
            FamilyId = grant.FamilyId,
            IssueRefreshToken = true,
            RefreshTokenScopes = data.Scopes,
            FamilyCreatedAt = data.FamilyCreatedAt,
            RotatesRefreshTokenKey = grant.Key,
            DPoPJkt = context.DPoPJkt,
        }, ct);
        return result.RotationLost ? await ReuseAsync(grant, ct) : result;
    }

    /// <summary>RFC 9700 §4.14.2: a rotated refresh token came back, so one of its holders is an attacker; end the family.</summary>
    private async Task<TokenResult> ReuseAsync(Storage.Entities.Grant grant, CancellationToken ct)
    {
        if (grant.FamilyId is not null) await grants.RevokeFamilyAsync(grant.FamilyId, ct);
        await audit.WriteAsync(AuditTypes.RefreshReuseDetected, grant.ClientId, grant.AccountId, grant.ClientId, success: false,
            reason: "A rotated refresh token was presented again; the family was revoked.", details: new { family = grant.FamilyId }, ct: ct);
        return Fail(ProtocolErrors.InvalidGrant, "The refresh token was already used.");
    }

    private static TokenResult Fail(string error, string description) => TokenResult.Failure(error, description);
}
