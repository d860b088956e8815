using IdentityBridge.Audit;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Grants;

/// <summary>
/// authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6): the code must belong to the client, be unexpired,
/// be redeemed with the same redirect_uri and, when a challenge was sent, a matching S256 verifier
/// (a verifier without a challenge is refused too: no PKCE downgrade). Redemption is atomic and uses the code
/// up only when every check passed; a second use revokes everything issued from the first.
/// </summary>
public sealed class AuthorizationCodeGrant(GrantStore grants, TokenIssuer issuer, AuditLog audit, TimeProvider time) : IGrantHandler
{
    public string GrantType => GrantTypeNames.AuthorizationCode;

    public async Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct)
    {
        var client = context.Client;
        var code = context["code"];
        if (code is null) return Fail(ProtocolErrors.InvalidRequest, "The code parameter is missing.");
        // Every authorization request names its redirect_uri, so every redemption must repeat it (RFC 6749 §4.1.3);
        // without it the request is malformed and the code is not used up.
        var redirectUri = context["redirect_uri"];
        if (redirectUri is null) return Fail(ProtocolErrors.InvalidRequest, "The redirect_uri parameter is missing.");
        // The code is read with its account in one round trip and used up only once every check has passed, in the
        // statement that stores the refresh token (RFC 6749 §4.1.2: it can be used once; a refused redemption does
        // not use it up, so a client that sent a wrong redirect_uri or verifier can still correct itself).
        var (grant, account, familyRevoked) = await grants.FindWithAccountAsync(code, GrantTypes.AuthorizationCode, ct);
        if (grant is null || grant.ClientId != client.ClientId) return Fail(ProtocolErrors.InvalidGrant, "The code is invalid.");
        if (grant.RevokedAt is not null || familyRevoked) return Fail(ProtocolErrors.InvalidGrant, "The code was revoked.");
        if (grant.ConsumedAt is not null) return await ReuseAsync(grant, context, ct);
        if (grant.ExpiresAt <= time.GetUtcNow()) return Fail(ProtocolErrors.InvalidGrant, "The code has expired.");

        var data = GrantJson.Read<AuthorizationCodeData>(grant.Data);
        if (data is null || grant.AccountId is null) return Fail(ProtocolErrors.InvalidGrant, "The code is invalid.");
        if (redirectUri != data.RedirectUri) return Fail(ProtocolErrors.InvalidGrant, "redirect_uri does not match the authorization request.");

        var verifier = context["code_verifier"];
        if (data.CodeChallenge is null)
        {
            if (verifier is not null) return Fail(ProtocolErrors.InvalidGrant, "code_verifier was sent but the authorization request had no code_challenge.");
        }
        else
        {
            if (verifier is null) return Fail(ProtocolErrors.InvalidGrant, "code_verifier is required.");
            if (!Pkce.IsWellFormed(verifier) || !Pkce.Verify(verifier, data.CodeChallenge)) return Fail(ProtocolErrors.InvalidGrant, "code_verifier does not match the code_challenge.");
        }

        // RFC 9449 §10: a code asked for with dpop_jkt is redeemed with a proof of that key only.
        if (data.DPoPJkt is not null && context.DPoPJkt != data.DPoPJkt)
            return context.DPoPJkt is null
                ? Fail(ProtocolErrors.InvalidDPoPProof, "The code is bound to a DPoP key (dpop_jkt): send a DPoP proof of that key.")
                : Fail(ProtocolErrors.InvalidGrant, "The DPoP proof's key is not the one of dpop_jkt.");

        var resource = data.Resource;
        if (context["resource"] is { } requested && requested != resource)
            return Fail(ProtocolErrors.InvalidTarget, "resource must be the one of the authorization request.");

        var result = await issuer.IssueAsync(new TokenIssueRequest
        {
            Client = client,
            GrantType = GrantType,
            AccountId = grant.AccountId,
            Account = account,
            Scopes = data.Scopes,
            Claims = data.Claims,
            Login = data.Login,
            Nonce = data.Nonce,
            Resource = resource,
            FamilyId = grant.FamilyId,
            RedeemsCodeKey = grant.Key,
            DPoPJkt = context.DPoPJkt,
        }, ct);
        if (!result.RotationLost) return result;

        // Another request used the code up between the read and the redemption, or it was revoked or expired meanwhile.
        var (now, _, revoked) = await grants.FindWithAccountAsync(code, GrantTypes.AuthorizationCode, ct);
        if (now is null || now.RevokedAt is not null || revoked) return Fail(ProtocolErrors.InvalidGrant, "The code was revoked.");
        if (now.ConsumedAt is not null) return await ReuseAsync(now, context, ct);
        return Fail(ProtocolErrors.InvalidGrant, "The code has expired.");
    }

    /// <summary>
    /// RFC 6749 §4.1.2 / RFC 9700 §4.5: a code used twice was stolen; revoke what the first use got. A code used once
    /// and then expired is still a code used twice: the replay is detected as long as it is stored.
    /// </summary>
    private async Task<TokenResult> ReuseAsync(Storage.Entities.Grant grant, TokenRequestContext context, CancellationToken ct)
    {
        if (grant.FamilyId is not null) await grants.RevokeFamilyAsync(grant.FamilyId, ct);
        await audit.WriteAsync(AuditTypes.TokenRefused, grant.ClientId, grant.AccountId, grant.ClientId, success: false,
            reason: "code_reuse", details: new { family = grant.FamilyId }, ct: ct);
        context.RefusalAudited = true;
        return Fail(ProtocolErrors.InvalidGrant, "The code was already used.");
    }

    private static TokenResult Fail(string error, string description) => TokenResult.Failure(error, description);
}
