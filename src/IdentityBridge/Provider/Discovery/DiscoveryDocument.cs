using System.Text.Json;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Discovery;

/// <summary>Adds metadata to the discovery document (e.g. the CIBA endpoint of another module).</summary>
public interface IDiscoveryContributor
{
    void Contribute(IDictionary<string, object> document, ProviderUrls urls);
}

/// <summary>
/// OpenID Provider Metadata (Discovery 1.0 §3) and RFC 8414 authorization server metadata: one document,
/// serialized once. It advertises exactly what the provider implements.
/// </summary>
public sealed class DiscoveryDocument(ProviderUrls urls, IServiceScopeFactory scopes, IEnumerable<IDiscoveryContributor> contributors, IOptions<BridgeOptions> options)
{
    private static readonly string[] SigningAlgorithms = ["RS256", "ES256"];
    private byte[]? _json;

    public byte[] Json => _json ??= JsonSerializer.SerializeToUtf8Bytes(Build());

    public Dictionary<string, object> Build()
    {
        IReadOnlyList<string> grantTypes;
        using (var scope = scopes.CreateScope())
            grantTypes = scope.ServiceProvider.GetServices<IGrantHandler>().Select(h => h.GrantType).Distinct().ToList();
        var authenticated = ClientAuthMethods.All.Where(m => m != ClientAuthMethods.None).ToArray();
        var document = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["issuer"] = urls.Issuer,
            ["authorization_endpoint"] = urls.Authorize,
            ["token_endpoint"] = urls.Token,
            ["userinfo_endpoint"] = urls.UserInfo,
            ["jwks_uri"] = urls.Jwks,
            ["end_session_endpoint"] = urls.EndSession,
            ["introspection_endpoint"] = urls.Introspection,
            ["revocation_endpoint"] = urls.Revocation,
            ["pushed_authorization_request_endpoint"] = urls.PushedAuthorization,
            ["require_pushed_authorization_requests"] = options.Value.PushedAuthorization.Required,
            ["scopes_supported"] = OidcScopes.Supported,
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = ResponseModes.Supported,
            ["grant_types_supported"] = grantTypes,
            ["subject_types_supported"] = new[] { "public", "pairwise" },
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
            ["token_endpoint_auth_methods_supported"] = ClientAuthMethods.All,
            ["token_endpoint_auth_signing_alg_values_supported"] = ClientAuthMethods.AssertionAlgorithms,
            ["introspection_endpoint_auth_methods_supported"] = authenticated,
            ["introspection_endpoint_auth_signing_alg_values_supported"] = ClientAuthMethods.AssertionAlgorithms,
            ["revocation_endpoint_auth_methods_supported"] = ClientAuthMethods.All,
            ["revocation_endpoint_auth_signing_alg_values_supported"] = ClientAuthMethods.AssertionAlgorithms,
            ["code_challenge_methods_supported"] = new[] { Pkce.S256 },
            ["dpop_signing_alg_values_supported"] = DPoPProofValidator.Algorithms,
            ["claims_supported"] = new[] { "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash" }.Concat(UserClaims.Supported).ToArray(),
            ["claim_types_supported"] = new[] { "normal" },
            ["prompt_values_supported"] = Prompts.Supported,
            // RFC 9101: signed request objects by value; by reference only as the request_uri of a pushed request.
            ["request_parameter_supported"] = true,
            ["request_object_signing_alg_values_supported"] = ClientAuthMethods.AssertionAlgorithms,
            ["request_uri_parameter_supported"] = false,
            ["claims_parameter_supported"] = true,
            ["authorization_response_iss_parameter_supported"] = true,
            ["backchannel_logout_supported"] = true,
            ["backchannel_logout_session_supported"] = true,
            ["frontchannel_logout_supported"] = true,
            ["frontchannel_logout_session_supported"] = true,
        };
        foreach (var contributor in contributors) contributor.Contribute(document, urls);
        return document;
    }
}
