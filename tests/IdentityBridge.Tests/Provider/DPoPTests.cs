using System.Net;
using System.Text.Json;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// DPoP-bound tokens (RFC 9449): the token endpoint binds access tokens (cnf.jkt, token_type DPoP), refresh tokens of
/// public clients and codes asked for with dpop_jkt; the proof rules themselves are in <see cref="DPoPProofTests"/>.
/// </summary>
public sealed class DPoPTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string TokenUrl = "http://localhost/connect/token";
    private const string ParUrl = "http://localhost/connect/par";

    private Task<HttpResponseMessage> TokenAsync(OidcDriver driver, Dictionary<string, string> form, DPoPKey? key, string? basicId = null, string? basicSecret = null, string? proof = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        if (basicId is not null) request.Headers.Authorization = OidcDriver.Basic(basicId, basicSecret ?? "");
        if (proof is not null) request.Headers.Add("DPoP", proof);
        else if (key is not null) request.Headers.Add("DPoP", key.Proof(host.Clock, "POST", TokenUrl));
        return driver.Api.SendAsync(request);
    }

    private static Dictionary<string, string> Redemption(OidcDriver driver, string code, string? publicClient = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect, ["code_verifier"] = driver.Verifier };
        if (publicClient is not null) form["client_id"] = publicClient;
        return form;
    }

    private static Dictionary<string, string> Refresh(string refreshToken, string? publicClient = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (publicClient is not null) form["client_id"] = publicClient;
        return form;
    }

    /// <summary>The code flow of the public client with a proof of <paramref name="key"/> at the token endpoint.</summary>
    private async Task<(OidcDriver Driver, JsonElement Tokens)> PublicLoginAsync(DPoPKey key)
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params(TestClients.Spa));
        var tokens = await OidcDriver.Json(await TokenAsync(driver, Redemption(driver, code, TestClients.Spa), key), HttpStatusCode.OK);
        return (driver, tokens);
    }

    private static string? Jkt(string accessToken)
    {
        var jwt = OidcDriver.Jwt(accessToken);
        return jwt.TryGetPayloadValue<JsonElement>("cnf", out var cnf) && cnf.TryGetProperty("jkt", out var jkt) ? jkt.GetString() : null;
    }

    [Fact]
    public async Task A_code_redeemed_with_a_proof_gives_a_bound_access_token()
    {
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var tokens = await OidcDriver.Json(await TokenAsync(driver, Redemption(driver, code), key, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        Assert.Equal(key.Thumbprint(), Jkt(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Without_a_proof_the_access_token_is_a_bearer_token_as_before()
    {
        var tokens = await new OidcDriver(host).LoginAsync();
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());
        Assert.Null(Jkt(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task An_invalid_proof_is_invalid_dpop_proof()
    {
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        var wrongUrl = key.Proof(host.Clock, "POST", "http://localhost/connect/userinfo");
        await OidcDriver.AssertError(await TokenAsync(driver, form, null, TestClients.Web, TestClients.WebSecret, wrongUrl), HttpStatusCode.BadRequest, "invalid_dpop_proof");
        var replayed = key.Proof(host.Clock, "POST", TokenUrl);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(driver, form, null, TestClients.Web, TestClients.WebSecret, replayed)).StatusCode);
        await OidcDriver.AssertError(await TokenAsync(driver, form, null, TestClients.Web, TestClients.WebSecret, replayed), HttpStatusCode.BadRequest, "invalid_dpop_proof");
    }

    [Fact]
    public async Task Client_credentials_with_a_proof_gives_a_bound_access_token()
    {
        var key = DPoPKey.NewRsa();
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        var tokens = await OidcDriver.Json(await TokenAsync(driver, form, key, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        Assert.Equal(key.Thumbprint(), Jkt(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_public_clients_refresh_token_needs_a_proof_of_the_same_key()
    {
        // RFC 9449 §5: a public client's refresh token is bound to the key of the proof it was issued with.
        var key = DPoPKey.NewEc();
        var (driver, tokens) = await PublicLoginAsync(key);
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        var withoutProof = await TokenAsync(driver, Refresh(refreshToken, TestClients.Spa), null);
        Assert.Equal(HttpStatusCode.BadRequest, withoutProof.StatusCode);
        Assert.Contains((await OidcDriver.Json(withoutProof, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_dpop_proof" });
        var otherKey = await TokenAsync(driver, Refresh(refreshToken, TestClients.Spa), DPoPKey.NewEc());
        Assert.Contains((await OidcDriver.Json(otherKey, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_dpop_proof" });

        // Refused refreshes did not use the token up; with the key it works, and its successor is bound too.
        var refreshed = await OidcDriver.Json(await TokenAsync(driver, Refresh(refreshToken, TestClients.Spa), key), HttpStatusCode.OK);
        Assert.Equal("DPoP", refreshed.GetProperty("token_type").GetString());
        Assert.Equal(key.Thumbprint(), Jkt(refreshed.GetProperty("access_token").GetString()!));
        var successor = refreshed.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await TokenAsync(driver, Refresh(successor, TestClients.Spa), null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(driver, Refresh(successor, TestClients.Spa), key)).StatusCode);
    }

    [Fact]
    public async Task A_confidential_clients_refresh_token_is_not_bound()
    {
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var tokens = await OidcDriver.Json(await TokenAsync(driver, Redemption(driver, code), key, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        var refreshed = await OidcDriver.Json(await TokenAsync(driver, Refresh(tokens.GetProperty("refresh_token").GetString()!), null, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal("Bearer", refreshed.GetProperty("token_type").GetString());
        var rebound = await OidcDriver.Json(await TokenAsync(driver, Refresh(refreshed.GetProperty("refresh_token").GetString()!), DPoPKey.NewEc(), TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal("DPoP", rebound.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_code_asked_for_with_dpop_jkt_is_redeemed_with_a_proof_of_that_key_only()
    {
        // RFC 9449 §10: dpop_jkt binds the authorization code to the key.
        var key = DPoPKey.NewEc();
        foreach (var wrong in new[] { null, DPoPKey.NewEc() })
        {
            var driver = new OidcDriver(host);
            var parameters = driver.Params(TestClients.Spa);
            parameters["dpop_jkt"] = key.Thumbprint();
            var code = await driver.GetCodeAsync(parameters);
            var refused = await TokenAsync(driver, Redemption(driver, code, TestClients.Spa), wrong);
            Assert.Contains((await OidcDriver.Json(refused, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_dpop_proof" });
        }

        var ok = new OidcDriver(host);
        var okParameters = ok.Params(TestClients.Spa);
        okParameters["dpop_jkt"] = key.Thumbprint();
        var okCode = await ok.GetCodeAsync(okParameters);
        var tokens = await OidcDriver.Json(await TokenAsync(ok, Redemption(ok, okCode, TestClients.Spa), key), HttpStatusCode.OK);
        Assert.Equal(key.Thumbprint(), Jkt(tokens.GetProperty("access_token").GetString()!));
    }

    private Task<HttpResponseMessage> PushAsync(OidcDriver driver, Dictionary<string, string> parameters, string? proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(parameters) };
        if (proof is not null) request.Headers.Add("DPoP", proof);
        return driver.Api.SendAsync(request);
    }

    private async Task<string> PushedCodeAsync(OidcDriver driver, DPoPKey key)
    {
        var pushed = await OidcDriver.Json(await PushAsync(driver, driver.Params(TestClients.Spa), key.Proof(host.Clock, "POST", ParUrl)), HttpStatusCode.Created);
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Spa,
            ["request_uri"] = pushed.GetProperty("request_uri").GetString()!,
        });
        return OidcDriver.Callback(response)["code"];
    }

    [Fact]
    public async Task A_proof_sent_with_a_pushed_request_binds_its_code_to_that_key()
    {
        // RFC 9449 §10.1: with PAR the proof's key binds the code as dpop_jkt would.
        var key = DPoPKey.NewEc();
        foreach (var wrong in new[] { null, DPoPKey.NewEc() })
        {
            var driver = new OidcDriver(host);
            var code = await PushedCodeAsync(driver, key);
            var refused = await TokenAsync(driver, Redemption(driver, code, TestClients.Spa), wrong);
            Assert.Contains((await OidcDriver.Json(refused, HttpStatusCode.BadRequest)).GetProperty("error").GetString(), new[] { "invalid_grant", "invalid_dpop_proof" });
        }
        var bound = new OidcDriver(host);
        var tokens = await OidcDriver.Json(await TokenAsync(bound, Redemption(bound, await PushedCodeAsync(bound, key), TestClients.Spa), key), HttpStatusCode.OK);
        Assert.Equal(key.Thumbprint(), Jkt(tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task A_pushed_request_whose_dpop_jkt_is_not_the_proofs_key_is_refused()
    {
        // RFC 9449 §10.1: both given, they must name the same key.
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var parameters = driver.Params(TestClients.Spa);
        parameters["dpop_jkt"] = DPoPKey.NewEc().Thumbprint();
        await OidcDriver.AssertError(await PushAsync(driver, parameters, key.Proof(host.Clock, "POST", ParUrl)), HttpStatusCode.BadRequest, "invalid_dpop_proof");
        parameters["dpop_jkt"] = key.Thumbprint();
        Assert.Equal(HttpStatusCode.Created, (await PushAsync(driver, parameters, key.Proof(host.Clock, "POST", ParUrl))).StatusCode);
    }

    [Fact]
    public async Task An_invalid_proof_sent_with_a_pushed_request_is_refused()
    {
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        // A proof made for the token endpoint is not one for this request (htu).
        await OidcDriver.AssertError(await PushAsync(driver, driver.Params(TestClients.Spa), key.Proof(host.Clock, "POST", TokenUrl)), HttpStatusCode.BadRequest, "invalid_dpop_proof");
    }

    [Fact]
    public async Task Without_RequireNonce_a_nonce_in_a_proof_is_ignored_and_none_is_offered()
    {
        // Bridge:DPoP:RequireNonce is off by default: a client that sends the last nonce it saw elsewhere is not refused.
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        var claims = DPoPKey.Claims(host.Clock, "POST", TokenUrl);
        claims["nonce"] = "a nonce of another server";
        var withNonce = await TokenAsync(driver, form, null, TestClients.Web, TestClients.WebSecret, key.Proof(claims));
        Assert.Equal("DPoP", (await OidcDriver.Json(withNonce, HttpStatusCode.OK)).GetProperty("token_type").GetString());
        Assert.False(withNonce.Headers.Contains("DPoP-Nonce"));
        var withoutNonce = await TokenAsync(driver, form, key, TestClients.Web, TestClients.WebSecret);
        Assert.Equal(HttpStatusCode.OK, withoutNonce.StatusCode);
        Assert.False(withoutNonce.Headers.Contains("DPoP-Nonce"));
    }

    [Fact]
    public async Task A_malformed_dpop_jkt_is_refused_at_authorize()
    {
        var driver = new OidcDriver(host);
        var parameters = driver.Params(TestClients.Spa);
        parameters["dpop_jkt"] = "not a thumbprint";
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(parameters));
        Assert.Equal("invalid_request", callback["error"]);
    }

    private async Task<JsonElement> IntrospectAsync(OidcDriver driver, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        return await OidcDriver.Json(await driver.Api.SendAsync(request), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Introspection_of_a_bound_token_gives_its_cnf_and_token_type()
    {
        // RFC 9449 §6.2.
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var tokens = await OidcDriver.Json(await TokenAsync(driver, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, key, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        var described = await IntrospectAsync(driver, tokens.GetProperty("access_token").GetString()!);
        Assert.True(described.GetProperty("active").GetBoolean());
        Assert.Equal("DPoP", described.GetProperty("token_type").GetString());
        Assert.Equal(key.Thumbprint(), described.GetProperty("cnf").GetProperty("jkt").GetString());

        var unbound = await OidcDriver.Json(await TokenAsync(driver, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, null, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        var plain = await IntrospectAsync(driver, unbound.GetProperty("access_token").GetString()!);
        Assert.Equal("Bearer", plain.GetProperty("token_type").GetString());
        Assert.False(plain.TryGetProperty("cnf", out _));
    }

    [Fact]
    public async Task Discovery_advertises_the_proof_algorithms()
    {
        // RFC 9449 §5.1: dpop_signing_alg_values_supported.
        var doc = await OidcDriver.Json(await host.CreateApiClient().GetAsync("/.well-known/openid-configuration"), HttpStatusCode.OK);
        Assert.Equal(["RS256", "ES256", "PS256"], doc.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    private const string UserInfoUrl = "http://localhost/connect/userinfo";

    private Task<HttpResponseMessage> UserInfoAsync(OidcDriver driver, string scheme, string token, string? proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(scheme, token);
        if (proof is not null) request.Headers.Add("DPoP", proof);
        return driver.Api.SendAsync(request);
    }

    private static async Task AssertDPoPChallenge(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("DPoP ", challenge);
        Assert.Contains($"error=\"{error}\"", challenge);
        Assert.Contains("algs=\"RS256 ES256 PS256\"", challenge);
        Assert.Equal(error, (await OidcDriver.Json(response, HttpStatusCode.Unauthorized)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Userinfo_takes_a_bound_token_with_the_DPoP_scheme_and_a_proof_of_its_key()
    {
        var key = DPoPKey.NewEc();
        var (driver, tokens) = await PublicLoginAsync(key);
        var token = tokens.GetProperty("access_token").GetString()!;
        var ok = await UserInfoAsync(driver, "DPoP", token, key.Proof(host.Clock, "GET", UserInfoUrl, token));
        Assert.Equal(driver.Wallet, (await OidcDriver.Json(ok, HttpStatusCode.OK)).GetProperty("xrpl_address").GetString());
        Assert.False(ok.Headers.Contains("DPoP-Nonce"));
    }

    [Fact]
    public async Task Userinfo_refuses_a_bound_token_presented_as_a_bearer_token()
    {
        // RFC 9449 §7.1: a DPoP-bound token is no bearer token.
        var key = DPoPKey.NewEc();
        var (driver, tokens) = await PublicLoginAsync(key);
        var token = tokens.GetProperty("access_token").GetString()!;
        await AssertDPoPChallenge(await UserInfoAsync(driver, "Bearer", token, null), "invalid_token");
        await AssertDPoPChallenge(await UserInfoAsync(driver, "Bearer", token, key.Proof(host.Clock, "GET", UserInfoUrl, token)), "invalid_token");
        var inBody = new HttpRequestMessage(HttpMethod.Post, "/connect/userinfo") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = token }) };
        await AssertDPoPChallenge(await driver.Api.SendAsync(inBody), "invalid_token");
    }

    [Fact]
    public async Task Userinfo_refuses_a_bound_token_without_a_good_proof()
    {
        var key = DPoPKey.NewEc();
        var (driver, tokens) = await PublicLoginAsync(key);
        var token = tokens.GetProperty("access_token").GetString()!;
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, null), "invalid_dpop_proof");
        // ath missing, ath of another token, a proof for another URL.
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, key.Proof(host.Clock, "GET", UserInfoUrl)), "invalid_dpop_proof");
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, key.Proof(host.Clock, "GET", UserInfoUrl, token + "x")), "invalid_dpop_proof");
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, key.Proof(host.Clock, "GET", TokenUrl, token)), "invalid_dpop_proof");
        // A good proof of another key.
        var other = DPoPKey.NewEc();
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, other.Proof(host.Clock, "GET", UserInfoUrl, token)), "invalid_token");
    }

    [Fact]
    public async Task An_unbound_token_keeps_working_as_a_bearer_token_only()
    {
        var driver = new OidcDriver(host);
        var token = (await driver.LoginAsync()).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(token)).StatusCode);
        var key = DPoPKey.NewEc();
        await AssertDPoPChallenge(await UserInfoAsync(driver, "DPoP", token, key.Proof(host.Clock, "GET", UserInfoUrl, token)), "invalid_token");
    }
}

/// <summary>The admin API takes the bridge's DPoP-bound tokens as userinfo does (RFC 9449 §7.1).</summary>
public sealed class DPoPAdminTests(Admin.IssuedAdminTokenTests.Host host) : IClassFixture<Admin.IssuedAdminTokenTests.Host>
{
    private const string ListUrl = "http://localhost/admin/api/clients";

    private async Task<string> BoundAdminTokenAsync(DPoPKey key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "bridge.admin" }),
        };
        request.Headers.Authorization = OidcDriver.Basic(Admin.IssuedAdminTokenTests.Service, Admin.IssuedAdminTokenTests.ServiceSecret);
        request.Headers.Add("DPoP", key.Proof(host.Clock, "POST", "http://localhost/connect/token"));
        var tokens = await OidcDriver.Json(await host.CreateApiClient().SendAsync(request), HttpStatusCode.OK);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        return tokens.GetProperty("access_token").GetString()!;
    }

    private Task<HttpResponseMessage> CallAsync(string scheme, string token, string? proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/clients");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(scheme, token);
        if (proof is not null) request.Headers.Add("DPoP", proof);
        return host.CreateApiClient().SendAsync(request);
    }

    [Fact]
    public async Task A_bound_admin_token_works_with_the_DPoP_scheme_and_a_proof_only()
    {
        var key = DPoPKey.NewEc();
        var token = await BoundAdminTokenAsync(key);
        var ok = await CallAsync("DPoP", token, key.Proof(host.Clock, "GET", ListUrl, token));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());

        var asBearer = await CallAsync("Bearer", token, null);
        Assert.Equal(HttpStatusCode.Unauthorized, asBearer.StatusCode);
        Assert.Contains("error=\"invalid_token\"", asBearer.Headers.WwwAuthenticate.ToString());
        Assert.StartsWith("DPoP ", asBearer.Headers.WwwAuthenticate.ToString());

        var withoutProof = await CallAsync("DPoP", token, null);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutProof.StatusCode);
        Assert.Contains("error=\"invalid_dpop_proof\"", withoutProof.Headers.WwwAuthenticate.ToString());

        var otherKey = await CallAsync("DPoP", token, DPoPKey.NewEc().Proof(host.Clock, "GET", ListUrl, token));
        Assert.Equal(HttpStatusCode.Unauthorized, otherKey.StatusCode);
    }
}
