using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Simulator;

public sealed class TokenTests
{
    [Fact]
    public async Task Token_response_has_lowercase_bearer_empty_refresh_token_and_id_token_equal_to_access_token()
    {
        await using var host = await SimulatorHost.StartAsync();

        var tokens = await host.TokensAsync(scope: "openid profile");

        Assert.Equal("bearer", tokens["token_type"]!.GetValue<string>());
        Assert.Equal("", tokens["refresh_token"]!.GetValue<string>());
        Assert.Equal(tokens["access_token"]!.GetValue<string>(), tokens["id_token"]!.GetValue<string>());
        Assert.Equal(86400, tokens["expires_in"]!.GetValue<long>());
        Assert.Equal("openid profile", tokens["scope"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_openid_scope_there_is_no_id_token()
    {
        await using var host = await SimulatorHost.StartAsync();

        var tokens = await host.TokensAsync(scope: "profile");

        Assert.False(tokens.ContainsKey("id_token"));
        Assert.Equal("", tokens["refresh_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jwt_has_no_kid_verifies_against_certs_and_carries_the_platform_claims()
    {
        await using var host = await SimulatorHost.StartAsync();
        var tokens = await host.TokensAsync(network: "TESTNET");
        var jwt = tokens["access_token"]!.GetValue<string>();

        var result = await ValidateAgainstJwksAsync(host, jwt);
        var header = Header(jwt);
        var claims = Claims(jwt);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        Assert.False(header.ContainsKey("kid"));
        Assert.Equal(SimulatorHost.Issuer, claims["iss"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.ApiKey, claims["aud"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Wallet, claims["sub"]!.GetValue<string>());
        Assert.Equal($"{SimulatorHost.ApiKey}+{SimulatorHost.Wallet}@xumm.me", claims["email"]!.GetValue<string>());
        Assert.Equal("Test App", claims["app_name"]!.GetValue<string>());
        Assert.Equal("TESTNET", claims["network_type"]!.GetValue<string>());
        Assert.Equal("wss://s.altnet.rippletest.net:51233", claims["network_endpoint"]!.GetValue<string>());
        Assert.Equal(1, claims["network_id"]!.GetValue<int>());
        Assert.Equal("n-1", claims["nonce"]!.GetValue<string>());
        Assert.Equal("openid", claims["scope"]!.GetValue<string>());
        Assert.Equal(86400, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds(), claims["iat"]!.GetValue<long>());
        Assert.False(claims.ContainsKey("at_hash"));
        Assert.False(claims.ContainsKey("azp"));
        Assert.False(claims.ContainsKey("auth_time"));

        var payload = host.State.FindPayload(claims["payload_uuidv4"]!.GetValue<string>());
        Assert.NotNull(payload);
        Assert.Equal(payload.IssuedUserToken, claims["usertoken_uuidv4"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_nonce_the_jwt_has_none_and_expires_in_agrees_with_exp_whatever_the_lifetime()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.TokenLifetime = TimeSpan.FromHours(2));
        host.State.SetAutoApprove(SimulatorHost.Wallet, once: true);
        var code = (await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(nonce: null)))["code"];

        using var response = await host.TokenAsync(code);
        var tokens = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var claims = Claims(tokens["id_token"]!.GetValue<string>());

        Assert.False(claims.ContainsKey("nonce"));
        Assert.Equal(7200, tokens["expires_in"]!.GetValue<long>());
        Assert.Equal(host.Clock.GetUtcNow().AddHours(2).ToUnixTimeSeconds(), claims["exp"]!.GetValue<long>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_secret_in_form_or_basic_both_work(bool basic)
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var response = await host.TokenAsync(code, basic: basic);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wrong_secret_is_invalid_client(bool basic)
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var response = await host.TokenAsync(code, basic: basic, secret: SimulatorHost.OtherApiSecret);
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", error!["error"]!.GetValue<string>());
        Assert.True(error.ContainsKey("error_description"));
        Assert.Equal(basic, response.Headers.WwwAuthenticate.Count > 0);
    }

    [Fact]
    public async Task A_code_works_once()
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var first = await host.TokenAsync(code);
        using var second = await host.TokenAsync(code);
        var error = await second.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("invalid_grant", error!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_code_expires()
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        using var response = await host.TokenAsync(code);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Pkce_verifier_must_match_the_challenge()
    {
        await using var host = await SimulatorHost.StartAsync();
        var (verifier, challenge) = Pkce();
        var code = await host.CodeAsync(challenge: challenge);

        using var response = await host.TokenAsync(code, verifier: verifier + "x");
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", error!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pkce_public_client_needs_no_secret()
    {
        await using var host = await SimulatorHost.StartAsync();
        var (verifier, challenge) = Pkce();
        var code = await host.CodeAsync(challenge: challenge);

        using var response = await host.TokenAsync(code, secret: null, verifier: verifier);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Public_client_without_pkce_is_refused()
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var response = await host.TokenAsync(code, secret: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Redirect_uri_must_repeat_the_authorization_request()
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var response = await host.TokenAsync(code, redirectUri: SimulatorHost.RedirectUri + "/other");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Code_of_another_client_is_invalid_grant()
    {
        await using var host = await SimulatorHost.StartAsync();
        var code = await host.CodeAsync();

        using var response = await host.TokenAsync(code, clientId: SimulatorHost.OtherApiKey, secret: SimulatorHost.OtherApiSecret);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Other_grant_types_are_unsupported()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.PostAsync($"{SimulatorHost.Prefix}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = "",
            ["client_id"] = SimulatorHost.ApiKey,
            ["client_secret"] = SimulatorHost.ApiSecret,
        }));
        var error = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_grant_type", error!["error"]!.GetValue<string>());
    }

    internal static async Task<TokenValidationResult> ValidateAgainstJwksAsync(SimulatorHost host, string jwt)
    {
        var jwks = new JsonWebKeySet(await host.Client.GetStringAsync($"{SimulatorHost.Prefix}/certs"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = SimulatorHost.Issuer,
            ValidAudience = SimulatorHost.ApiKey,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = false,
        });
    }

    internal static JsonObject Claims(string jwt) => Part(jwt, 1);

    internal static JsonObject Header(string jwt) => Part(jwt, 0);

    internal static (string Verifier, string Challenge) Pkce()
    {
        var verifier = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    private static JsonObject Part(string jwt, int index) =>
        JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[index]))!.AsObject();
}
