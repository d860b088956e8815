using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.XApps;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Grants;

/// <summary>Token type URIs of the token exchange grant.</summary>
public static class TokenExchangeTypes
{
    /// <summary>
    /// The xApp JWT Xumm issues to an xApp backend (HS256, keyed with the application's API secret). Not
    /// registered with IANA: this URN is the bridge's own name for it.
    /// </summary>
    public const string XAppJwt = "urn:xumm:params:oauth:token-type:xapp-jwt";

    public const string AccessToken = "urn:ietf:params:oauth:token-type:access_token";
}

/// <summary>
/// RFC 8693 token exchange for xApps: a registered xApp client (allowed the grant) sends
/// <c>subject_token</c> = an xApp JWT with <c>subject_token_type</c> = <see cref="TokenExchangeTypes.XAppJwt"/> and
/// receives bridge tokens (<see cref="TokenIssuer"/>) for the wallet's account. A token that is tampered with,
/// expired, issued to another Xumm application or for a wallet that may not sign in is refused with
/// <c>invalid_request</c>, the code RFC 8693 §2.2.2 requires for an unacceptable subject token.
/// Actor tokens (delegation) are not supported.
/// </summary>
public sealed class TokenExchangeGrant(
    XAppSignIn xapps,
    TokenIssuer issuer,
    LoginContextReader logins,
    IOptions<ResourceOptions> resources,
    AuditLog audit) : IGrantHandler
{
    public string GrantType => GrantTypeNames.TokenExchange;

    public async Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct)
    {
        var client = context.Client;
        var subjectToken = context["subject_token"];
        var subjectType = context["subject_token_type"];
        if (subjectToken is null || subjectType is null)
            return Fail(ProtocolErrors.InvalidRequest, "subject_token and subject_token_type are required.");
        if (subjectType != TokenExchangeTypes.XAppJwt)
            return Fail(ProtocolErrors.InvalidRequest, $"subject_token_type must be {TokenExchangeTypes.XAppJwt}.");
        if (context["actor_token"] is not null || context["actor_token_type"] is not null)
            return Fail(ProtocolErrors.InvalidRequest, "Actor tokens are not supported.");
        if (context["requested_token_type"] is { } requested && requested != TokenExchangeTypes.AccessToken)
            return Fail(ProtocolErrors.InvalidRequest, $"requested_token_type must be {TokenExchangeTypes.AccessToken}.");

        IReadOnlyList<string> scopes;
        if (context["scope"] is { } scope)
        {
            scopes = OidcScopes.Parse(scope);
            if (scopes.Count == 0) return Fail(ProtocolErrors.InvalidScope, OidcScopes.NoScopeNamed);
            if (scopes.FirstOrDefault(s => !client.AllowedScopes.Contains(s)) is { } bad)
                return Fail(ProtocolErrors.InvalidScope, $"The scope '{ErrorDescription.Echo(bad)}' is not allowed for this client.");
        }
        else scopes = client.AllowedScopes.Where(s => OidcScopes.UserScopes.Contains(s) && s != OidcScopes.OfflineAccess).Order(StringComparer.Ordinal).ToList();

        var resource = context["resource"];
        if (resource is not null && !(Authorize.AuthorizeRequestValidator.IsResourceUri(resource) && resources.Value.IsAllowed(client, resource)))
            return Fail(ProtocolErrors.InvalidTarget, "The resource is not known or not allowed for this application.");
        if (context["audience"] is { } audience && audience != client.ClientId && audience != resource)
            return Fail(ProtocolErrors.InvalidTarget, "The only audience available is the client itself or its resource.");

        var network = string.IsNullOrWhiteSpace(client.RequiredNetwork) ? null : client.RequiredNetwork.Trim().ToUpperInvariant();
        var signIn = await xapps.SignInWithJwtAsync(subjectToken, network, logins.ProvisioningOf(client.Provisioning), ct);
        if (!signIn.Succeeded)
        {
            await audit.WriteAsync(AuditTypes.TokenRefused, client.ClientId, clientId: client.ClientId, success: false, reason: signIn.Error,
                details: new { grant = GrantType }, ct: ct);
            context.RefusalAudited = true;
            return Fail(ProtocolErrors.InvalidRequest, signIn.Description ?? "The subject token is not acceptable.");
        }

        var identity = signIn.Identity!;
        var result = await issuer.IssueAsync(new TokenIssueRequest
        {
            Client = client,
            GrantType = GrantType,
            AccountId = signIn.AccountId,
            Scopes = scopes,
            Login = new LoginFacts(null, identity.IssuedAt, PayloadSignInMethods.XApp, null, identity.Account, identity.Network),
            Resource = resource,
            DPoPJkt = context.DPoPJkt,
        }, ct);
        if (result.Response is not { } response) return result;
        return TokenResult.Success(new TokenResponse
        {
            AccessToken = response.AccessToken,
            TokenType = response.TokenType,
            ExpiresIn = response.ExpiresIn,
            IdToken = response.IdToken,
            RefreshToken = response.RefreshToken,
            Scope = response.Scope,
            AccessTokenId = response.AccessTokenId,
            Extra = new Dictionary<string, object> { ["issued_token_type"] = TokenExchangeTypes.AccessToken },
        });
    }

    private static TokenResult Fail(string error, string description) => TokenResult.Failure(error, description);
}
