using System.Net;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Server nonces in DPoP proofs (RFC 9449 §8 at the token and PAR endpoints, §9 at userinfo and the admin API), with
/// <c>Bridge:DPoP:RequireNonce</c> on: a proof must carry a nonce the bridge issued in the current or the previous
/// window, and every response to a DPoP request offers a fresh one in <c>DPoP-Nonce</c>.
/// </summary>
public sealed class DPoPNonceTests(DPoPNonceTests.Host host) : IClassFixture<DPoPNonceTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host() => Settings["Bridge:DPoP:RequireNonce"] = "true";
    }

    /// <summary>The length of a nonce window, as the README states it: a nonce is good in its window and the next.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private const string TokenUrl = "http://localhost/connect/token";
    private const string ParUrl = "http://localhost/connect/par";
    private const string UserInfoUrl = "http://localhost/connect/userinfo";
    private const string NonceHeader = "DPoP-Nonce";

    /// <summary>A proof for <paramref name="method"/> on <paramref name="url"/>, carrying <paramref name="nonce"/> when given.</summary>
    internal static string Proof(DPoPKey key, TimeProvider clock, string method, string url, string? nonce, string? accessToken = null)
    {
        var claims = DPoPKey.Claims(clock, method, url, accessToken);
        if (nonce is not null) claims["nonce"] = nonce;
        return key.Proof(claims);
    }

    internal static string NonceOf(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues(NonceHeader, out var values), $"no {NonceHeader} in the {(int)response.StatusCode} response");
        var nonce = Assert.Single(values);
        // RFC 9449 §8.1: nonce = 1*NQCHAR.
        Assert.NotEmpty(nonce);
        Assert.All(nonce, c => Assert.True(c is '!' or (>= '#' and <= '[') or (>= ']' and <= '~'), $"'{c}' is no NQCHAR"));
        return nonce;
    }

    private Task<HttpResponseMessage> ClientCredentialsAsync(string proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        request.Headers.Add("DPoP", proof);
        return host.CreateApiClient().SendAsync(request);
    }

    /// <summary>A nonce as the bridge hands it out: from the use_dpop_nonce answer to a proof without one.</summary>
    private async Task<string> FirstNonceAsync(DPoPKey key)
    {
        var refused = await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, null));
        await OidcDriver.AssertError(refused, HttpStatusCode.BadRequest, "use_dpop_nonce");
        return NonceOf(refused);
    }

    private static async Task AssertUseNonce(HttpResponseMessage response)
    {
        await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, "use_dpop_nonce");
        NonceOf(response);
    }

    [Fact]
    public async Task A_proof_without_a_nonce_at_the_token_endpoint_is_use_dpop_nonce_with_one_to_use()
    {
        // RFC 9449 §8: 400 with error use_dpop_nonce and the nonce in the DPoP-Nonce header.
        var refused = await ClientCredentialsAsync(Proof(DPoPKey.NewEc(), host.Clock, "POST", TokenUrl, null));
        await AssertUseNonce(refused);
        Assert.Contains("no-store", refused.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task The_nonce_handed_out_is_accepted_and_the_answer_offers_a_fresh_one()
    {
        var key = DPoPKey.NewEc();
        var nonce = await FirstNonceAsync(key);
        var ok = await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, nonce));
        var tokens = await OidcDriver.Json(ok, HttpStatusCode.OK);
        Assert.Equal("DPoP", tokens.GetProperty("token_type").GetString());
        var next = NonceOf(ok);
        // The nonce of a success works as well, for another key too: a nonce is the server's, not the client's.
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(Proof(DPoPKey.NewRsa(), host.Clock, "POST", TokenUrl, next))).StatusCode);
    }

    [Theory]
    [InlineData("forged")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public async Task A_nonce_the_bridge_did_not_issue_is_refused(string forged)
    {
        await AssertUseNonce(await ClientCredentialsAsync(Proof(DPoPKey.NewEc(), host.Clock, "POST", TokenUrl, forged)));
    }

    [Fact]
    public async Task A_nonce_that_is_not_a_string_is_refused()
    {
        var key = DPoPKey.NewEc();
        var claims = DPoPKey.Claims(host.Clock, "POST", TokenUrl);
        claims["nonce"] = new JsonArray(await FirstNonceAsync(key));
        await AssertUseNonce(await ClientCredentialsAsync(key.Proof(claims)));
    }

    [Fact]
    public async Task A_nonce_of_the_previous_window_is_accepted_one_older_is_not()
    {
        var key = DPoPKey.NewEc();
        var previous = await FirstNonceAsync(key);
        host.Clock.Advance(Window);
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, previous))).StatusCode);

        var old = await FirstNonceAsync(key);
        host.Clock.Advance(Window + Window);
        var refused = await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, old));
        await AssertUseNonce(refused);
        // The answer's nonce is a current one.
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, NonceOf(refused)))).StatusCode);
    }

    [Fact]
    public async Task A_proof_with_a_good_nonce_is_still_accepted_once()
    {
        // RFC 9449 §11.1: the nonce limits how early a proof can be made; the jti still stops its replay.
        var key = DPoPKey.NewEc();
        var proof = Proof(key, host.Clock, "POST", TokenUrl, await FirstNonceAsync(key));
        Assert.Equal(HttpStatusCode.OK, (await ClientCredentialsAsync(proof)).StatusCode);
        var replayed = await ClientCredentialsAsync(proof);
        await OidcDriver.AssertError(replayed, HttpStatusCode.BadRequest, "invalid_dpop_proof");
    }

    [Fact]
    public async Task A_request_without_a_proof_is_answered_as_before_without_a_nonce()
    {
        // Nonces belong to DPoP: a bearer token request neither needs one nor is offered one.
        var driver = new OidcDriver(host);
        var response = await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Web, TestClients.WebSecret);
        Assert.Equal("Bearer", (await OidcDriver.Json(response, HttpStatusCode.OK)).GetProperty("token_type").GetString());
        Assert.False(response.Headers.Contains(NonceHeader));
    }

    [Fact]
    public async Task A_pushed_request_with_a_proof_needs_a_nonce_too()
    {
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        HttpRequestMessage Push(string proof)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(driver.Params(TestClients.Spa)) };
            request.Headers.Add("DPoP", proof);
            return request;
        }
        var refused = await driver.Api.SendAsync(Push(Proof(key, host.Clock, "POST", ParUrl, null)));
        await AssertUseNonce(refused);
        var pushed = await driver.Api.SendAsync(Push(Proof(key, host.Clock, "POST", ParUrl, NonceOf(refused))));
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        NonceOf(pushed);
    }

    [Fact]
    public async Task A_nonce_challenge_is_no_refusal_for_the_audit_trail()
    {
        // use_dpop_nonce is how a client learns the nonce (§8): at the token and PAR endpoints it is not audited as a
        // refused request, while a proof refused for another reason is.
        var key = DPoPKey.NewEc();
        var driver = new OidcDriver(host);
        var events = await host.AuditEventsDuringAsync(async () =>
        {
            await AssertUseNonce(await ClientCredentialsAsync(Proof(key, host.Clock, "POST", TokenUrl, null)));
            var push = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(driver.Params(TestClients.Spa)) };
            push.Headers.Add("DPoP", Proof(key, host.Clock, "POST", ParUrl, null));
            await AssertUseNonce(await driver.Api.SendAsync(push));
            await OidcDriver.AssertError(await ClientCredentialsAsync(Proof(key, host.Clock, "POST", ParUrl, await FirstNonceAsync(key))),
                HttpStatusCode.BadRequest, "invalid_dpop_proof");
        });

        Assert.Equal([IdentityBridge.Audit.AuditTypes.TokenRefused], events.Select(e => e.Type));
    }

    private async Task<(OidcDriver Driver, string Token, string Nonce)> BoundUserTokenAsync(DPoPKey key)
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params(TestClients.Spa));
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect,
            ["code_verifier"] = driver.Verifier, ["client_id"] = TestClients.Spa,
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("DPoP", Proof(key, host.Clock, "POST", TokenUrl, await FirstNonceAsync(key)));
        var response = await driver.Api.SendAsync(request);
        var tokens = await OidcDriver.Json(response, HttpStatusCode.OK);
        return (driver, tokens.GetProperty("access_token").GetString()!, NonceOf(response));
    }

    private static Task<HttpResponseMessage> UserInfoAsync(OidcDriver driver, string token, string proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", token);
        request.Headers.Add("DPoP", proof);
        return driver.Api.SendAsync(request);
    }

    /// <summary>RFC 9449 §9: 401, the DPoP challenge with error use_dpop_nonce, and a nonce to use.</summary>
    internal static string AssertNonceChallenge(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("DPoP ", challenge);
        Assert.Contains("error=\"use_dpop_nonce\"", challenge);
        return NonceOf(response);
    }

    [Fact]
    public async Task Userinfo_answers_a_proof_without_a_nonce_with_the_use_dpop_nonce_challenge()
    {
        var key = DPoPKey.NewEc();
        var (driver, token, _) = await BoundUserTokenAsync(key);
        var refused = await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, null, token));
        var nonce = AssertNonceChallenge(refused);
        Assert.Equal("use_dpop_nonce", (await OidcDriver.Json(refused, HttpStatusCode.Unauthorized)).GetProperty("error").GetString());

        var ok = await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, nonce, token));
        Assert.Equal(driver.Wallet, (await OidcDriver.Json(ok, HttpStatusCode.OK)).GetProperty("xrpl_address").GetString());
        NonceOf(ok);
    }

    [Fact]
    public async Task Userinfo_with_the_DPoP_scheme_and_no_proof_offers_a_nonce_with_its_refusal()
    {
        // The client means to use DPoP but sent no proof: the refusal is invalid_dpop_proof, and carries the nonce its
        // next proof needs, so that one retry can succeed (RFC 9449 §9).
        var key = DPoPKey.NewEc();
        var (driver, token, _) = await BoundUserTokenAsync(key);
        var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", token);
        var refused = await driver.Api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("error=\"invalid_dpop_proof\"", refused.Headers.WwwAuthenticate.ToString());

        var ok = await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, NonceOf(refused), token));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Userinfo_takes_the_nonce_the_token_endpoint_handed_out_and_refuses_a_forged_one()
    {
        // One nonce for the whole bridge: a client keeps the last one it was given, whichever endpoint gave it.
        var key = DPoPKey.NewEc();
        var (driver, token, nonce) = await BoundUserTokenAsync(key);
        AssertNonceChallenge(await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, "forged", token)));
        Assert.Equal(HttpStatusCode.OK, (await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, nonce, token))).StatusCode);
    }

    [Fact]
    public async Task An_expired_nonce_at_userinfo_is_refused()
    {
        var key = DPoPKey.NewEc();
        var (driver, token, nonce) = await BoundUserTokenAsync(key);
        host.Clock.Advance(Window + Window);
        AssertNonceChallenge(await UserInfoAsync(driver, token, Proof(key, host.Clock, "GET", UserInfoUrl, nonce, token)));
    }
}

/// <summary>The admin API asks for a nonce as userinfo does (RFC 9449 §9).</summary>
public sealed class DPoPNonceAdminTests(DPoPNonceAdminTests.Host host) : IClassFixture<DPoPNonceAdminTests.Host>
{
    public sealed class Host : Admin.IssuedAdminTokenTests.Host
    {
        public Host() => Settings["Bridge:DPoP:RequireNonce"] = "true";
    }

    private const string TokenUrl = "http://localhost/connect/token";
    private const string ListUrl = "http://localhost/admin/api/clients";

    private async Task<(string Token, string Nonce)> BoundAdminTokenAsync(DPoPKey key)
    {
        HttpRequestMessage Request(string proof)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "bridge.admin" }),
            };
            request.Headers.Authorization = OidcDriver.Basic(Admin.IssuedAdminTokenTests.Service, Admin.IssuedAdminTokenTests.ServiceSecret);
            request.Headers.Add("DPoP", proof);
            return request;
        }
        var refused = await host.CreateApiClient().SendAsync(Request(DPoPNonceTests.Proof(key, host.Clock, "POST", TokenUrl, null)));
        await OidcDriver.AssertError(refused, HttpStatusCode.BadRequest, "use_dpop_nonce");
        var ok = await host.CreateApiClient().SendAsync(Request(DPoPNonceTests.Proof(key, host.Clock, "POST", TokenUrl, DPoPNonceTests.NonceOf(refused))));
        var tokens = await OidcDriver.Json(ok, HttpStatusCode.OK);
        return (tokens.GetProperty("access_token").GetString()!, DPoPNonceTests.NonceOf(ok));
    }

    private Task<HttpResponseMessage> CallAsync(string token, string proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/api/clients");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", token);
        request.Headers.Add("DPoP", proof);
        return host.CreateApiClient().SendAsync(request);
    }

    [Fact]
    public async Task A_proof_without_a_good_nonce_is_challenged_with_use_dpop_nonce_and_the_nonce_given_works()
    {
        var key = DPoPKey.NewEc();
        var (token, _) = await BoundAdminTokenAsync(key);
        var refused = await CallAsync(token, DPoPNonceTests.Proof(key, host.Clock, "GET", ListUrl, null, token));
        var nonce = DPoPNonceTests.AssertNonceChallenge(refused);
        DPoPNonceTests.AssertNonceChallenge(await CallAsync(token, DPoPNonceTests.Proof(key, host.Clock, "GET", ListUrl, "forged", token)));

        var ok = await CallAsync(token, DPoPNonceTests.Proof(key, host.Clock, "GET", ListUrl, nonce, token));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        DPoPNonceTests.NonceOf(ok);
    }
}
