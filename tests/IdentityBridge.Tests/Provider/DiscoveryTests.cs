using System.Net;
using System.Text.Json;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

public sealed class DiscoveryTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Discovery_lists_exactly_what_is_supported()
    {
        var api = host.CreateApiClient();
        var response = await api.GetAsync("/.well-known/openid-configuration");
        var doc = await OidcDriver.Json(response, HttpStatusCode.OK);
        string[] Strings(string name) => doc.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.Equal(BridgeFactory.Issuer, doc.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/connect/authorize", doc.GetProperty("authorization_endpoint").GetString());
        Assert.Equal("http://localhost/connect/token", doc.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost/connect/userinfo", doc.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal("http://localhost/.well-known/jwks.json", doc.GetProperty("jwks_uri").GetString());
        Assert.Equal("http://localhost/connect/endsession", doc.GetProperty("end_session_endpoint").GetString());
        Assert.Equal("http://localhost/connect/introspect", doc.GetProperty("introspection_endpoint").GetString());
        Assert.Equal("http://localhost/connect/revoke", doc.GetProperty("revocation_endpoint").GetString());

        Assert.Equal(["code"], Strings("response_types_supported"));
        Assert.Equal(["query", "form_post"], Strings("response_modes_supported"));
        Assert.Equal(["S256"], Strings("code_challenge_methods_supported"));
        Assert.Equal(["openid", "profile", "email", "wallet", "roles", "offline_access"], Strings("scopes_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"], Strings("token_endpoint_auth_methods_supported"));
        Assert.Equal(["RS256", "ES256", "PS256"], Strings("token_endpoint_auth_signing_alg_values_supported"));
        Assert.Equal(["RS256", "ES256"], Strings("id_token_signing_alg_values_supported"));
        Assert.Equal(["public", "pairwise"], Strings("subject_types_supported"));
        Assert.Equal(["none", "login", "consent", "select_account"], Strings("prompt_values_supported"));
        foreach (var claim in new[] { "sub", "auth_time", "acr", "amr", "sid", "name", "email", "email_verified", "xrpl_address", "xrpl_addresses", "xrpl_network", "kyc_approved", "roles" })
            Assert.Contains(claim, Strings("claims_supported"));

        using (var scope = host.Services.CreateScope())
        {
            var registered = scope.ServiceProvider.GetServices<IGrantHandler>().Select(h => h.GrantType).Order().ToArray();
            Assert.Equal(registered, Strings("grant_types_supported").Order().ToArray());
        }
        Assert.Contains("authorization_code", Strings("grant_types_supported"));
        Assert.Contains("refresh_token", Strings("grant_types_supported"));
        Assert.Contains("client_credentials", Strings("grant_types_supported"));
        Assert.DoesNotContain("implicit", Strings("grant_types_supported"));

        Assert.True(doc.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.True(doc.GetProperty("backchannel_logout_supported").GetBoolean());
        Assert.True(doc.GetProperty("backchannel_logout_session_supported").GetBoolean());
        Assert.True(doc.GetProperty("request_parameter_supported").GetBoolean());
        Assert.False(doc.GetProperty("request_uri_parameter_supported").GetBoolean());
        Assert.False(doc.TryGetProperty("userinfo_signing_alg_values_supported", out _));
        Assert.False(doc.TryGetProperty("registration_endpoint", out _));

        var metadata = await api.GetStringAsync("/.well-known/oauth-authorization-server");
        Assert.Equal(doc.GetRawText(), JsonDocument.Parse(metadata).RootElement.GetRawText());
    }

    [Fact]
    public async Task Jwks_publishes_public_keys_with_rfc7638_thumbprints_as_kid()
    {
        var json = await host.CreateApiClient().GetStringAsync("/.well-known/jwks.json");
        var set = new JsonWebKeySet(json);
        Assert.Contains(set.Keys, k => k.Kty == "RSA" && k.Alg == "RS256");
        Assert.Contains(set.Keys, k => k.Kty == "EC" && k.Alg == "ES256" && k.Crv == "P-256");
        foreach (var key in set.Keys)
        {
            Assert.Equal(Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()), key.Kid);
            Assert.False(key.HasPrivateKey);
            Assert.Equal("sig", key.Use);
        }
        Assert.DoesNotContain("\"d\"", json);
    }
}
