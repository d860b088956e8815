using System.Net;
using AngleSharp.Html.Parser;
using IdentityBridge.Configuration;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;

namespace IdentityBridge.Tests.Provider;

/// <summary>Pushed authorization requests (RFC 9126): <c>POST /connect/par</c> and <c>request_uri</c> at the authorize endpoint.</summary>
public sealed class PushedAuthorizationTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string Prefix = "urn:ietf:params:oauth:request_uri:";

    [Fact]
    public async Task A_push_is_answered_201_with_a_fresh_request_uri_that_is_not_cached()
    {
        var driver = new OidcDriver(host);
        var response = await PushAsync(driver, driver.Params());
        var json = await OidcDriver.Json(response, HttpStatusCode.Created);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var requestUri = json.GetProperty("request_uri").GetString()!;
        Assert.StartsWith(Prefix, requestUri);
        // At least 128 bits of randomness after the prefix (base64url: 6 bits a character).
        Assert.True(requestUri.Length - Prefix.Length >= 22, requestUri);
        Assert.Equal(60, json.GetProperty("expires_in").GetInt32());

        var again = await OidcDriver.Json(await PushAsync(driver, driver.Params()), HttpStatusCode.Created);
        Assert.NotEqual(requestUri, again.GetProperty("request_uri").GetString());
    }

    [Fact]
    public async Task The_client_must_authenticate_as_at_the_token_endpoint()
    {
        var driver = new OidcDriver(host);
        var none = await PushAsync(driver, driver.Params(), basicId: null);
        await OidcDriver.AssertError(none, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.StartsWith("Basic", none.Headers.WwwAuthenticate.ToString());

        var wrong = await PushAsync(driver, driver.Params(), basicSecret: "wrong");
        await OidcDriver.AssertError(wrong, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.StartsWith("Basic", wrong.Headers.WwwAuthenticate.ToString());

        var post = driver.Params(TestClients.Post);
        post["client_secret"] = "wrong";
        await OidcDriver.AssertError(await PushAsync(driver, post, basicId: null), HttpStatusCode.BadRequest, "invalid_client");
        post["client_secret"] = TestClients.PostSecret;
        Assert.Equal(HttpStatusCode.Created, (await PushAsync(driver, post, basicId: null)).StatusCode);

        // A public client names itself and is not authenticated.
        Assert.Equal(HttpStatusCode.Created, (await PushAsync(driver, driver.Params(TestClients.Spa), basicId: null)).StatusCode);
    }

    [Fact]
    public async Task The_client_id_in_the_body_must_be_the_authenticated_client()
    {
        var driver = new OidcDriver(host);
        var response = await PushAsync(driver, driver.Params(TestClients.Other));
        await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task A_private_key_jwt_assertion_may_name_the_issuer_or_the_par_endpoint()
    {
        var driver = new OidcDriver(host);
        foreach (var audience in new[] { BridgeFactory.Issuer, BridgeFactory.Issuer + "/connect/par" })
        {
            var p = driver.Params(TestClients.Jwt);
            p["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
            p["client_assertion"] = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, audience));
            Assert.Equal(HttpStatusCode.Created, (await PushAsync(driver, p, basicId: null)).StatusCode);
        }
        var other = driver.Params(TestClients.Jwt);
        other["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        other["client_assertion"] = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, "https://other-as.example"));
        await OidcDriver.AssertError(await PushAsync(driver, other, basicId: null), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Theory]
    [InlineData("scope", "openid bridge.admin", "invalid_scope")]
    [InlineData("redirect_uri", "https://app.example/cb/evil", "invalid_request")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("request", "eyJhbGciOiJub25lIn0.e30.", "invalid_request_object")]
    [InlineData("request_uri", "urn:ietf:params:oauth:request_uri:abc", "invalid_request")]
    public async Task Invalid_pushed_parameters_are_answered_as_json_never_a_redirect(string name, string value, string error)
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p[name] = value;
        var response = await PushAsync(driver, p);
        await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, error);
        Assert.Null(response.Headers.Location);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Only_a_form_is_accepted()
    {
        var driver = new OidcDriver(host);
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par")
        {
            Content = new StringContent("{\"client_id\":\"web\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        await OidcDriver.AssertError(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_full_login_with_a_pushed_request_ends_in_a_code_redeemed_with_pkce()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var requestUri = await PushedAsync(driver, p);
        var code = await driver.GetCodeAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri, ["state"] = p["state"] });
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        var idToken = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal(p["nonce"], idToken.GetClaim("nonce").Value);
        Assert.Equal(TestClients.Web, idToken.Audiences.Single());
    }

    [Fact]
    public async Task Only_the_pushed_parameters_are_used_whatever_the_query_says()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid");
        var requestUri = await PushedAsync(driver, p);
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Web,
            ["request_uri"] = requestUri,
            ["state"] = "from-the-query",
            ["scope"] = "openid profile email wallet",
            ["redirect_uri"] = "https://app.example/cb/evil",
            ["code_challenge"] = new OidcDriver(host).Challenge,
        });
        var callback = OidcDriver.Callback(response);
        Assert.StartsWith(TestClients.Redirect + "?", response.Headers.Location!.OriginalString);
        Assert.Equal(p["state"], callback["state"]);
        var tokens = await OidcDriver.Json(await driver.RedeemAsync(callback["code"]), HttpStatusCode.OK);
        Assert.Equal("openid", tokens.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_request_uri_is_used_up_by_the_code_but_survives_reloads_before()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var requestUri = await PushedAsync(driver, p);
        var query = new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri };
        // Reloaded before the login completed: still the same request.
        Assert.StartsWith("/login?", (await driver.AuthorizeAsync(query)).Headers.Location!.OriginalString);
        var login = await driver.AuthorizeAsync(query);
        Assert.StartsWith("/login?", login.Headers.Location!.OriginalString);
        Assert.True(OidcDriver.Callback(await driver.SignInAtLoginAsync(login)).ContainsKey("code"));

        await AssertRefusedAsync(await driver.AuthorizeAsync(query));
    }

    [Fact]
    public async Task A_login_that_outlasts_the_push_lifetime_still_completes()
    {
        var driver = new OidcDriver(host);
        var requestUri = await PushedAsync(driver, driver.Params());
        var login = await driver.AuthorizeAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri });
        Assert.StartsWith("/login?", login.Headers.Location!.OriginalString);
        host.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(OidcDriver.Callback(await driver.SignInAtLoginAsync(login)).ContainsKey("code"));
    }

    [Fact]
    public async Task An_error_redirect_uses_the_request_uri_up_too()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var requestUri = await PushedAsync(driver, p);
        var query = new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri };
        var login = await driver.AuthorizeAsync(query);
        var location = login.Headers.Location!.OriginalString;
        var returnUrl = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["returnUrl"].ToString();
        var failed = await driver.Browser.GetAsync("/test/fail?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var callback = OidcDriver.Callback(failed);
        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);

        await AssertRefusedAsync(await driver.AuthorizeAsync(query));
    }

    [Fact]
    public async Task Consent_round_trip_resumes_the_pushed_request()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Consent, scope: "openid email");
        var requestUri = await PushedAsync(driver, p, TestClients.Consent, "third-party-secret");
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Consent, ["request_uri"] = requestUri });
        var consentUrl = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/consent?returnUrl=", consentUrl);
        var page = await driver.Browser.GetAsync(consentUrl);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("App third-party", html);
        var form = new HtmlParser().ParseDocument(html).QuerySelector("form")!;
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        fields["decision"] = "allow";
        var allowed = await driver.Browser.PostAsync(consentUrl, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        var callback = OidcDriver.Callback(await driver.Browser.GetAsync(allowed.Headers.Location!.OriginalString));
        Assert.True(callback.ContainsKey("code"));
        Assert.Equal(p["state"], callback["state"]);
    }

    [Fact]
    public async Task An_unknown_request_uri_is_an_error_page()
    {
        var driver = new OidcDriver(host);
        await AssertRefusedAsync(await driver.AuthorizeAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Web, ["request_uri"] = Prefix + "bm90LWEtcmVhbC1yZWZlcmVuY2U", ["redirect_uri"] = TestClients.Redirect,
        }));
    }

    [Fact]
    public async Task Another_clients_request_uri_is_an_error_page()
    {
        var driver = new OidcDriver(host);
        var requestUri = await PushedAsync(driver, driver.Params());
        await AssertRefusedAsync(await driver.AuthorizeAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Other, ["request_uri"] = requestUri }));
        // Nor without client_id.
        var missing = await driver.AuthorizeAsync(new Dictionary<string, string> { ["request_uri"] = requestUri });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Null(missing.Headers.Location);
        // The rightful client can still use it.
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri });
        Assert.True(OidcDriver.Callback(response).ContainsKey("code"));
    }

    [Fact]
    public async Task An_expired_request_uri_is_an_error_page()
    {
        var driver = new OidcDriver(host);
        var requestUri = await PushedAsync(driver, driver.Params());
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        await AssertRefusedAsync(await driver.AuthorizeAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri }));
    }

    [Fact]
    public async Task Discovery_lists_the_endpoint_and_that_pushing_is_optional()
    {
        var json = await OidcDriver.Json(await host.CreateApiClient().GetAsync("/.well-known/openid-configuration"), HttpStatusCode.OK);
        Assert.Equal(BridgeFactory.Issuer + "/connect/par", json.GetProperty("pushed_authorization_request_endpoint").GetString());
        Assert.False(json.GetProperty("require_pushed_authorization_requests").GetBoolean());
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:10")]
    [InlineData("00:10:01")]
    [InlineData("00:00:00.5")]
    [InlineData("00:00:00.9999999")]
    [InlineData("00:00:01.5")]
    [InlineData("00:00:59.999")]
    public void A_lifetime_that_is_not_whole_seconds_from_one_second_to_ten_minutes_is_refused_naming_the_key(string lifetime)
    {
        // expires_in (RFC 9126 §2.2) is a whole number of seconds: a fraction would be answered cut off, 0 below a second.
        var value = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture);
        var options = new BridgeOptions { Issuer = "https://a.example", PushedAuthorization = { Lifetime = value } };
        Assert.Contains($"Bridge:PushedAuthorization:Lifetime must be whole seconds from 00:00:01 to 00:10:00 (e.g. 00:01:00), not {value}.", BridgeErrors(options));
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:01:00")]
    [InlineData("00:10:00")]
    public void The_default_lifetime_and_whole_seconds_from_one_second_to_ten_minutes_are_accepted(string lifetime)
    {
        Assert.Equal(TimeSpan.FromSeconds(60), new BridgeOptions().PushedAuthorization.Lifetime);
        Assert.False(new BridgeOptions().PushedAuthorization.Required);
        var value = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", PushedAuthorization = { Lifetime = value } }));
    }

    [Fact]
    public async Task A_lifetime_below_a_second_stops_startup_naming_the_key()
    {
        // Accepted, it made every push answer expires_in: 0, a request_uri the client must take as already expired.
        await using var bridge = new BridgeFactory();
        bridge.Settings["Bridge:PushedAuthorization:Lifetime"] = "00:00:00.500";

        var ex = Assert.ThrowsAny<Exception>(() => bridge.CreateApiClient());

        Assert.Contains("Bridge:PushedAuthorization:Lifetime must be whole seconds", ex.ToString(), StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> BridgeErrors(BridgeOptions o) =>
        new BridgeOptionsValidator(new Env()).Validate(null, o).Failures?.ToList() ?? [];

    private sealed class Env : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "IdentityBridge";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    internal static Task<HttpResponseMessage> PushAsync(OidcDriver driver, Dictionary<string, string> parameters,
        string? basicId = TestClients.Web, string basicSecret = TestClients.WebSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(parameters) };
        if (basicId is not null) request.Headers.Authorization = OidcDriver.Basic(basicId, basicSecret);
        return driver.Api.SendAsync(request);
    }

    internal static async Task<string> PushedAsync(OidcDriver driver, Dictionary<string, string> parameters,
        string clientId = TestClients.Web, string secret = TestClients.WebSecret)
    {
        var json = await OidcDriver.Json(await PushAsync(driver, parameters, clientId, secret), HttpStatusCode.Created);
        return json.GetProperty("request_uri").GetString()!;
    }

    /// <summary>
    /// The parameters of the authorization request of <paramref name="authorizeQuery"/>, the query of a URL at the
    /// authorize endpoint: those pushed, when it names a request_uri (as the libraries that read
    /// pushed_authorization_request_endpoint in discovery send it), else the query's own.
    /// </summary>
    internal static async Task<Dictionary<string, string>> SentParametersAsync(ProviderHost host, string authorizeQuery)
    {
        var query = QueryHelpers.ParseQuery(authorizeQuery).ToDictionary(q => q.Key, q => q.Value.ToString());
        if (!query.TryGetValue("request_uri", out var requestUri)) return query;
        var key = IdentityBridge.Provider.Tokens.TokenHashes.Key(requestUri);
        var data = await host.WithDbAsync(db => db.Grants.Where(g => g.Key == key).Select(g => g.Data).SingleAsync());
        var pushed = System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("parameters").GetString()!;
        return QueryHelpers.ParseQuery(pushed).ToDictionary(q => q.Key, q => q.Value.ToString());
    }

    internal static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("invalid_request_uri", await response.Content.ReadAsStringAsync());
    }
}

/// <summary><c>Bridge:PushedAuthorization:Required</c>: every authorization request must be pushed first.</summary>
public sealed class RequiredPushedAuthorizationTests(RequiredPushedAuthorizationTests.Host host) : IClassFixture<RequiredPushedAuthorizationTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host()
        {
            Settings["Bridge:PushedAuthorization:Required"] = "true";
            Settings["Bridge:PushedAuthorization:Lifetime"] = "00:02:00";
        }
    }

    [Fact]
    public async Task An_authorization_request_that_was_not_pushed_is_refused()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
    }

    [Fact]
    public async Task A_pushed_request_goes_through()
    {
        var driver = new OidcDriver(host);
        var pushed = await OidcDriver.Json(await PushedAuthorizationTests.PushAsync(driver, driver.Params()), HttpStatusCode.Created);
        Assert.Equal(120, pushed.GetProperty("expires_in").GetInt32());
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Web, ["request_uri"] = pushed.GetProperty("request_uri").GetString()!,
        });
        Assert.True(OidcDriver.Callback(response).ContainsKey("code"));
    }

    [Fact]
    public async Task Discovery_says_pushing_is_required()
    {
        var json = await OidcDriver.Json(await host.CreateApiClient().GetAsync("/.well-known/openid-configuration"), HttpStatusCode.OK);
        Assert.True(json.GetProperty("require_pushed_authorization_requests").GetBoolean());
        Assert.Equal(BridgeFactory.Issuer + "/connect/par", json.GetProperty("pushed_authorization_request_endpoint").GetString());
    }
}
