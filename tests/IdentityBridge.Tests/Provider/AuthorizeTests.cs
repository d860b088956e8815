using System.Net;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Provider;

public sealed class AuthorizeTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Code_flow_redirects_with_code_state_and_iss()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var response = await driver.AuthorizeSignedInAsync(p);
        var callback = OidcDriver.Callback(response);
        Assert.StartsWith(TestClients.Redirect + "?", response.Headers.Location!.OriginalString);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Equal(BridgeFactory.Issuer, callback["iss"]);
        Assert.Equal(43, callback["code"].Length);
    }

    [Fact]
    public async Task Login_redirect_carries_the_full_authorize_url_and_login_hint()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["login_hint"] = driver.Wallet;
        p["acr_values"] = "urn:example:loa:2";
        var response = await driver.AuthorizeAsync(p);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?", location);
        var query = QueryHelpers.ParseQuery(location[location.IndexOf('?')..]);
        Assert.Equal(driver.Wallet, query["login_hint"].ToString());
        var returnUrl = query["returnUrl"].ToString();
        Assert.StartsWith("/connect/authorize?", returnUrl);
        var resumed = QueryHelpers.ParseQuery(returnUrl[returnUrl.IndexOf('?')..]);
        foreach (var (key, value) in p) Assert.Equal(value, resumed[key].ToString());
    }

    [Fact]
    public async Task Unregistered_client_gets_an_error_page_never_a_redirect()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params("no-such-client");
        var response = await driver.AuthorizeAsync(p);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("text/html", response.Content.Headers.ContentType!.ToString());
        // An error page leads to no application: its forms stay on the bridge.
        Assert.Contains("form-action 'self';", string.Join(' ', response.Headers.GetValues("Content-Security-Policy")));
    }

    [Theory]
    [InlineData("https://app.example/cb/evil")]
    [InlineData("https://app.example/cbx")]
    [InlineData("https://APP.example/cb")]
    [InlineData("https://app.example/cb/")]
    [InlineData("https://app.example/cb?x=1")]
    [InlineData("https://app.example.evil/cb")]
    [InlineData("http://app.example/cb")]
    public async Task Redirect_uri_must_match_exactly(string redirectUri)
    {
        var driver = new OidcDriver(host);
        var response = await driver.AuthorizeAsync(driver.Params(redirectUri: redirectUri));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Loopback_redirect_matches_on_any_port()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Spa, redirectUri: "http://127.0.0.1:54321/cb");
        var response = await driver.AuthorizeSignedInAsync(p);
        Assert.StartsWith("http://127.0.0.1:54321/cb?code=", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("http://localhost:54321/cb")]
    [InlineData("http://127.0.0.2:54321/cb")]
    [InlineData("http://127.0.0.1:54321/cb2")]
    public async Task Loopback_rule_does_not_extend_to_other_hosts_or_paths(string redirectUri)
    {
        var driver = new OidcDriver(host);
        var response = await driver.AuthorizeAsync(driver.Params(TestClients.Spa, redirectUri: redirectUri));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("id_token")]
    [InlineData("code id_token")]
    [InlineData("code token")]
    public async Task Implicit_and_hybrid_are_refused_with_a_redirect(string responseType)
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["response_type"] = responseType;
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("unsupported_response_type", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Equal(BridgeFactory.Issuer, callback["iss"]);
    }

    [Theory]
    [InlineData(44)]
    [InlineData(128)]
    public async Task An_s256_challenge_that_no_verifier_can_match_is_refused_at_authorize(int length)
    {
        // RFC 7636 §4.2: an S256 code_challenge is the base64url SHA-256 of the verifier, always 43 characters
        // without '.' or '~'. Any other value can never be matched: refused now, not after a sign-in whose code is lost.
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["code_challenge"] = new string('a', length);
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);

        p["code_challenge"] = driver.Challenge[..42] + "~";
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Plain_pkce_is_refused()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["code_challenge"] = driver.Verifier;
        p["code_challenge_method"] = "plain";
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
        p.Remove("code_challenge_method");
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Pkce_is_required_for_public_clients_and_by_default()
    {
        foreach (var client in new[] { TestClients.Spa, TestClients.Web })
        {
            var driver = new OidcDriver(host);
            var p = driver.Params(client);
            p.Remove("code_challenge");
            p.Remove("code_challenge_method");
            Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
        }
    }

    [Fact]
    public async Task Scope_outside_the_clients_allowed_scopes_is_invalid_scope()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Admin, scope: "openid email");
        Assert.Equal("invalid_scope", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
        p = driver.Params(scope: "openid unknown");
        Assert.Equal("invalid_scope", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Prompt_none_without_session_is_login_required_with_iss_and_state()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["prompt"] = "none";
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("login_required", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Equal(BridgeFactory.Issuer, callback["iss"]);
    }

    [Fact]
    public async Task Existing_session_is_reused_and_prompt_login_forces_a_new_sign_in_once()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        var silent = driver.Params();
        silent["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(silent)).ContainsKey("code"));

        foreach (var prompt in new[] { "login", "select_account" })
        {
            var p = driver.Params();
            p["prompt"] = prompt;
            var first = await driver.AuthorizeAsync(p);
            Assert.StartsWith("/login?", first.Headers.Location!.OriginalString);
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var resumed = await driver.SignInAtLoginAsync(first);
            Assert.True(OidcDriver.Callback(resumed).ContainsKey("code"), "prompt=login must not loop after a fresh sign-in");
        }
    }

    [Fact]
    public async Task Max_age_older_than_the_session_forces_a_new_sign_in()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        host.Clock.Advance(TimeSpan.FromSeconds(120));
        var p = driver.Params();
        p["max_age"] = "60";
        var response = await driver.AuthorizeAsync(p);
        Assert.StartsWith("/login?", response.Headers.Location!.OriginalString);
        p["max_age"] = "600";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(p)).ContainsKey("code"));
        p["max_age"] = "60";
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("99999999999")]
    [InlineData("999999999999999999999999")]
    public async Task A_max_age_beyond_32_bits_is_a_valid_max_age(string maxAge)
    {
        // OIDC Core §3.1.2.1: max_age is a number of seconds; any non-negative integer is valid, however large.
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        host.Clock.Advance(TimeSpan.FromHours(1));
        var p = driver.Params();
        p["max_age"] = maxAge;
        p["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(p)).ContainsKey("code"));
    }

    [Fact]
    public async Task Session_of_a_disabled_account_does_not_count()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        await host.DisableAccountAsync(await host.AccountIdOfAsync(driver.Wallet));
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Required_network_forces_a_sign_in_on_that_network()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params(), network: "TESTNET");
        var p = driver.Params(TestClients.Mainnet);
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
        p.Remove("prompt");
        var response = await driver.AuthorizeAsync(p);
        Assert.StartsWith("/login?", response.Headers.Location!.OriginalString);
        Assert.True(OidcDriver.Callback(await driver.SignInAtLoginAsync(response, network: "MAINNET")).ContainsKey("code"));
    }

    [Fact]
    public async Task Id_token_hint_for_another_user_requires_a_new_sign_in()
    {
        var alice = new OidcDriver(host);
        var aliceTokens = await alice.LoginAsync();
        var bob = new OidcDriver(host);
        await bob.GetCodeAsync(bob.Params());

        var p = bob.Params();
        p["id_token_hint"] = aliceTokens.GetProperty("id_token").GetString()!;
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await bob.AuthorizeAsync(p))["error"]);
        p.Remove("prompt");
        Assert.StartsWith("/login?", (await bob.AuthorizeAsync(p)).Headers.Location!.OriginalString);

        var own = alice.Params();
        own["id_token_hint"] = aliceTokens.GetProperty("id_token").GetString()!;
        own["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await alice.AuthorizeAsync(own)).ContainsKey("code"));

        var forged = alice.Params();
        forged["id_token_hint"] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
        Assert.Equal("invalid_request", OidcDriver.Callback(await alice.AuthorizeAsync(forged))["error"]);
    }

    [Fact]
    public async Task Id_token_hint_is_checked_against_the_user_who_just_signed_in()
    {
        var alice = new OidcDriver(host);
        var aliceTokens = await alice.LoginAsync();
        var bob = new OidcDriver(host);
        var p = bob.Params();
        p["id_token_hint"] = aliceTokens.GetProperty("id_token").GetString()!;

        var login = await bob.AuthorizeAsync(p);
        var resumed = await bob.SignInAtLoginAsync(login);
        var callback = OidcDriver.Callback(resumed);
        Assert.Equal("login_required", callback["error"]);
        Assert.False(callback.ContainsKey("code"));
        Assert.Equal(p["state"], callback["state"]);

        // Signing in as the hinted user satisfies the hint.
        var again = await bob.AuthorizeAsync(p);
        Assert.True(OidcDriver.Callback(await bob.SignInAtLoginAsync(again, wallet: alice.Wallet)).ContainsKey("code"));
    }

    [Fact]
    public async Task A_copied_login_ticket_does_not_satisfy_prompt_login_or_max_age()
    {
        var stranger = new OidcDriver(host);
        var copied = TicketOf(await stranger.AuthorizeAsync(stranger.Params()));

        var user = new OidcDriver(host);
        await user.GetCodeAsync(user.Params());
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        var p = user.Params();
        p["prompt"] = "login";
        p["max_age"] = "1";
        p[InteractionTicketParameter] = copied;
        Assert.StartsWith("/login?", (await user.AuthorizeAsync(p)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_login_ticket_counts_only_for_its_own_request_and_only_once()
    {
        var user = new OidcDriver(host);
        await user.GetCodeAsync(user.Params());
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        var first = user.Params();
        first["prompt"] = "login";
        var login = await user.AuthorizeAsync(first);
        var ticket = TicketOf(login);
        host.Clock.Advance(TimeSpan.FromSeconds(1));

        // The login this browser started for the first request, resumed into another request: nothing skipped.
        var other = user.Params();
        other["prompt"] = "login";
        other[InteractionTicketParameter] = ticket;
        var signIn = await user.Browser.GetAsync(QueryHelpers.AddQueryString("/test/signin", new Dictionary<string, string?>
        {
            ["wallet"] = user.Wallet,
            ["returnUrl"] = QueryHelpers.AddQueryString("/connect/authorize", other!),
        }));
        Assert.StartsWith("/login?", (await user.Browser.GetAsync(signIn.Headers.Location!.OriginalString)).Headers.Location!.OriginalString);

        // Its own request gets the code, once: resuming it again asks for a new login.
        var resumeUrl = ReturnUrlOf(login);
        Assert.True(OidcDriver.Callback(await user.Browser.GetAsync(resumeUrl)).ContainsKey("code"));
        Assert.StartsWith("/login?", (await user.Browser.GetAsync(resumeUrl)).Headers.Location!.OriginalString);
    }

    private const string InteractionTicketParameter = "bridge_interaction";

    private static string ReturnUrlOf(HttpResponseMessage loginRedirect)
    {
        var location = loginRedirect.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?", location);
        return QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["returnUrl"].ToString();
    }

    private static string TicketOf(HttpResponseMessage loginRedirect)
    {
        var returnUrl = ReturnUrlOf(loginRedirect);
        var ticket = QueryHelpers.ParseQuery(returnUrl[returnUrl.IndexOf('?')..])[InteractionTicketParameter].ToString();
        Assert.NotEmpty(ticket);
        return ticket;
    }

    [Fact]
    public async Task Form_post_response_mode_auto_submits_without_inline_script()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["response_mode"] = "form_post";
        var response = await driver.AuthorizeSignedInAsync(p);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var form = document.QuerySelector("form")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal(TestClients.Redirect, form.GetAttribute("action"));
        string Field(string name) => form.QuerySelector($"input[name='{name}']")!.GetAttribute("value")!;
        Assert.Equal(43, Field("code").Length);
        Assert.Equal(p["state"], Field("state"));
        Assert.Equal(BridgeFactory.Issuer, Field("iss"));
        Assert.All(document.QuerySelectorAll("script"), s => Assert.False(string.IsNullOrEmpty(s.GetAttribute("src"))));
        Assert.Contains(document.QuerySelectorAll("script"), s => s.GetAttribute("src") == "/js/form-post.js");
        Assert.NotNull(document.QuerySelector("noscript"));
        Assert.Contains("<button type=\"submit\">", html);
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        // The form ends at the client's redirect URI, whose own redirects the bridge cannot know: Chromium would hold
        // any of them to this page's form-action, so the page has none.
        Assert.DoesNotContain("form-action", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var script = await driver.Browser.GetAsync("/js/form-post.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Errors_in_form_post_mode_are_posted_too()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["response_mode"] = "form_post";
        p["prompt"] = "none";
        var html = await (await driver.AuthorizeAsync(p)).Content.ReadAsStringAsync();
        Assert.Contains("name=\"error\" value=\"login_required\"", html);
        Assert.Contains($"name=\"iss\" value=\"{BridgeFactory.Issuer}\"", html);
    }

    [Fact]
    public async Task Unsupported_response_mode_is_refused()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["response_mode"] = "fragment";
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    [Fact]
    public async Task Post_authorize_works_like_get_and_unknown_parameters_are_ignored()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        var p = driver.Params();
        p["unknown_parameter"] = "whatever";
        var response = await driver.Browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(p));
        Assert.True(OidcDriver.Callback(response).ContainsKey("code"));
    }

    [Fact]
    public async Task A_request_too_long_to_resume_after_login_or_consent_is_refused_to_the_client()
    {
        // The login and consent pages resume the request from its URL, which they take up to a length. A longer
        // request would strand the user on an error page there (RFC 6749 §4.1.2.1: the client is told instead).
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["unknown_parameter"] = new string('x', LoginInteraction.MaxReturnUrlLength);
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);

        // Signed in, on the way to the consent page.
        await driver.GetCodeAsync(driver.Params());
        p = driver.Params(TestClients.Consent);
        p["unknown_parameter"] = new string('x', LoginInteraction.MaxReturnUrlLength - 300);
        callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);

        // Just short enough: the consent page takes it.
        p["unknown_parameter"] = new string('x', LoginInteraction.MaxReturnUrlLength - 900);
        var consent = await driver.AuthorizeAsync(p);
        Assert.StartsWith("/consent?", consent.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await driver.Browser.GetAsync(consent.Headers.Location!.OriginalString)).StatusCode);
    }

    [Fact]
    public async Task Error_responder_redirects_to_the_client_only_for_a_valid_local_authorize_url()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var returnUrl = QueryHelpers.AddQueryString("/connect/authorize", p!);
        var response = await driver.Browser.GetAsync("/test/fail?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var callback = OidcDriver.Callback(response);
        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Equal(BridgeFactory.Issuer, callback["iss"]);

        foreach (var bad in new[]
                 {
                     "https://evil.example/connect/authorize?client_id=web",
                     "//evil.example/connect/authorize",
                     "/other?client_id=web",
                     QueryHelpers.AddQueryString("/connect/authorize", driver.Params(redirectUri: "https://evil.example/cb")!),
                 })
        {
            var page = await driver.Browser.GetAsync("/test/fail?returnUrl=" + Uri.EscapeDataString(bad));
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            Assert.Null(page.Headers.Location);
        }
    }

    [Theory]
    [InlineData("client_id=web&client_id=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb")]
    [InlineData("client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&redirect_uri=https%3A%2F%2Fevil.example%2Fcb")]
    public async Task A_repeated_client_id_or_redirect_uri_gets_an_error_page_even_after_another_repeated_parameter(string target)
    {
        var driver = new OidcDriver(host);
        var response = await driver.Browser.GetAsync(
            $"/connect/authorize?scope=openid&scope=profile&{target}&response_type=code&state=st-1&code_challenge={driver.Challenge}&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("text/html", response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task A_repeated_resource_is_redirected_as_invalid_target()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        var url = QueryHelpers.AddQueryString("/connect/authorize", p!) + "&resource=" + Uri.EscapeDataString(TestClients.Resource)
                  + "&resource=" + Uri.EscapeDataString("https://other.example");
        var callback = OidcDriver.Callback(await driver.Browser.GetAsync(url));
        Assert.Equal("invalid_target", callback["error"]);
        Assert.Contains("one resource", callback["error_description"]);
        Assert.Equal(p["state"], callback["state"]);
    }
}
