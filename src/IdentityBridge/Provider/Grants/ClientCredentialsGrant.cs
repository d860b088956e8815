using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Grants;

/// <summary>
/// client_credentials (RFC 6749 §4.4): confidential clients only; the token is about the client itself
/// (sub = client_id), with scopes among the client's own (user scopes such as openid or offline_access
/// are refused), without ID token or refresh token.
/// </summary>
public sealed class ClientCredentialsGrant(TokenIssuer issuer, IOptions<ResourceOptions> resources) : IGrantHandler
{
    private static readonly string[] Refused = [OidcScopes.OpenId, OidcScopes.OfflineAccess];

    public string GrantType => GrantTypeNames.ClientCredentials;

    public async Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct)
    {
        var client = context.Client;
        if (client.IsPublic) return TokenResult.Failure(ProtocolErrors.UnauthorizedClient, "Public clients cannot use client_credentials.");
        IReadOnlyList<string> scopes;
        if (context["scope"] is { } requested)
        {
            scopes = OidcScopes.Parse(requested);
            if (scopes.Count == 0) return TokenResult.Failure(ProtocolErrors.InvalidScope, OidcScopes.NoScopeNamed);
            if (scopes.FirstOrDefault(s => Refused.Contains(s) || !client.AllowedScopes.Contains(s)) is { } bad)
                return TokenResult.Failure(ProtocolErrors.InvalidScope, $"The scope '{ErrorDescription.Echo(bad)}' is not available with client_credentials.");
        }
        else scopes = client.AllowedScopes.Where(s => !Refused.Contains(s)).Order(StringComparer.Ordinal).ToList();

        var resource = context["resource"];
        if (resource is not null && !(Authorize.AuthorizeRequestValidator.IsResourceUri(resource) && resources.Value.IsAllowed(client, resource)))
            return TokenResult.Failure(ProtocolErrors.InvalidTarget, "The resource is not known or not allowed for this application.");

        return await issuer.IssueAsync(new TokenIssueRequest
        {
            Client = client,
            GrantType = GrantType,
            Scopes = scopes,
            Resource = resource,
            IssueRefreshToken = false,
            IncludeIdToken = false,
            DPoPJkt = context.DPoPJkt,
        }, ct);
    }
}
