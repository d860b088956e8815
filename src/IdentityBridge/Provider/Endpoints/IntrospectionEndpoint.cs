using IdentityBridge.Accounts;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage.Entities;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// POST /connect/introspect (RFC 7662): confidential clients only. Access tokens (JWT, fully validated
/// including revocation and account status) and refresh tokens. A client sees a token as active only when
/// it was issued to it (client_id), names it as audience (aud), or the client is allowed the
/// <c>bridge.admin</c> scope; anything else is <c>{"active":false}</c>. A DPoP-bound access token is described with
/// its <c>cnf</c> and token_type DPoP (RFC 9449 §6.2).
/// </summary>
public static class IntrospectionEndpoint
{
    public const string IntrospectAnyScope = "bridge.admin";
    private static readonly Dictionary<string, object> Inactive = new() { ["active"] = false };

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.IntrospectionPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        AccessTokenValidator validator,
        GrantStore grants,
        ClientStore clients,
        SubjectResolver subjects,
        SessionService sessions,
        ProviderUrls urls,
        IOptions<BridgeOptions> options,
        TimeProvider time,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null) return ProtocolResults.Error(formError!);
        if ((parameters.UnreadableError ?? parameters.DuplicateError) is { } malformed) return ProtocolResults.Error(malformed);
        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: false, ct);
        if (!auth.Succeeded) return ProtocolResults.Error(auth.Error!);
        var caller = auth.Client!;
        var token = parameters["token"];
        if (token is null) return ProtocolResults.Error(ProtocolError.InvalidRequest("The token parameter is missing."));
        var seesAll = caller.AllowedScopes.Contains(IntrospectAnyScope);

        if (token.Count(c => c == '.') == 2)
        {
            var validated = await validator.ValidateTokenAsync(token, ct);
            if (validated is null) return ProtocolResults.NoStoreJson(Inactive);
            var jwt = validated.Token;
            var boundJkt = DPoPProofValidator.BoundKey(jwt);
            if (!seesAll && validated.ClientId != caller.ClientId && !jwt.Audiences.Contains(caller.ClientId)) return ProtocolResults.NoStoreJson(Inactive);
            var body = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["active"] = true,
                ["token_type"] = boundJkt is null ? "Bearer" : DPoPProofValidator.Scheme,
                ["client_id"] = validated.ClientId,
                ["scope"] = OidcScopes.Join(validated.Scopes),
                ["sub"] = jwt.Subject,
                ["aud"] = jwt.Audiences.Count() == 1 ? jwt.Audiences.First() : jwt.Audiences.ToArray(),
                ["iss"] = jwt.Issuer,
                ["exp"] = validated.ExpiresAt.ToUnixTimeSeconds(),
                ["iat"] = jwt.TryGetPayloadValue<long>("iat", out var iat) ? iat : 0,
            };
            if (validated.Jti is not null) body["jti"] = validated.Jti;
            // RFC 9449 §6.2: the key a bound token is bound to, for the resource server to check the proof against.
            if (boundJkt is not null) body["cnf"] = new Dictionary<string, string> { ["jkt"] = boundJkt };
            if (jwt.TryGetPayloadValue<long>("auth_time", out var authTime)) body["auth_time"] = authTime;
            if (jwt.TryGetPayloadValue<string>("sid", out var sid)) body["sid"] = sid;
            return ProtocolResults.NoStoreJson(body);
        }

        // Read as the refresh grant reads it: with its family's revocation, which a token stored after the
        // revocation does not carry on its own row, and with its account.
        var (grant, account, familyRevoked) = await grants.FindWithAccountAsync(token, GrantTypes.RefreshToken, ct);
        var now = time.GetUtcNow();
        if (grant is null || grant.RevokedAt is not null || familyRevoked || grant.ConsumedAt is not null || grant.ExpiresAt <= now || grant.AccountId is null)
            return ProtocolResults.NoStoreJson(Inactive);
        if (!seesAll && grant.ClientId != caller.ClientId) return ProtocolResults.NoStoreJson(Inactive);
        var data = GrantJson.Read<RefreshTokenData>(grant.Data);
        var owner = await clients.FindEnabledAsync(grant.ClientId, ct);
        if (data is null || owner is null) return ProtocolResults.NoStoreJson(Inactive);
        if (account is not { Status: AccountStatus.Active }) return ProtocolResults.NoStoreJson(Inactive);
        // Active means the refresh grant would take it now (RFC 7662 §2.2): the client still may use the grant, and the
        // client's provisioning still admits the account (TokenIssuer checks the same at every issuance).
        if (!owner.AllowsGrant(Grants.GrantTypeNames.RefreshToken)
            || !ProvisioningRules.AdmitsLogin(ProvisioningRules.Parse(owner.Provisioning) ?? options.Value.Provisioning, account, data.Login.Wallet, options.Value))
            return ProtocolResults.NoStoreJson(Inactive);
        if (!data.Offline && (data.Login.SessionId is null || await sessions.FindActiveAsync(data.Login.SessionId, ct) is null))
            return ProtocolResults.NoStoreJson(Inactive);
        return ProtocolResults.NoStoreJson(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["active"] = true,
            ["token_type"] = "refresh_token",
            ["client_id"] = grant.ClientId,
            ["scope"] = OidcScopes.Join(data.Scopes),
            ["sub"] = await subjects.SubjectForAsync(owner, grant.AccountId, ct),
            ["iss"] = urls.Issuer,
            ["exp"] = grant.ExpiresAt.ToUnixTimeSeconds(),
            ["iat"] = grant.CreatedAt.ToUnixTimeSeconds(),
        });
    }
}
