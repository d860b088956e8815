using System.Net;
using AngleSharp.Html.Parser;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

public sealed class LogoutTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Valid_hint_and_registered_uri_log_out_and_redirect_with_state()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var response = await EndSessionAsync(driver, new()
        {
            ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = TestClients.PostLogout,
            ["state"] = "bye-1",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(TestClients.PostLogout + "?state=bye-1", response.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task Unregistered_post_logout_uri_shows_the_signed_out_page_instead()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var response = await EndSessionAsync(driver, new()
        {
            ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = "https://evil.example/after",
            ["state"] = "bye-2",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("signed out", await response.Content.ReadAsStringAsync());
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task Expired_hint_is_still_accepted()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(30));
        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(TestClients.PostLogout, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_a_hint_the_user_confirms_first()
    {
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var page = await EndSessionAsync(driver, new() { ["client_id"] = TestClients.Web, ["post_logout_redirect_uri"] = TestClients.PostLogout, ["state"] = "s3" });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        await AssertSignedInAsync(driver);

        var document = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
        var fields = document.QuerySelectorAll("form input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        var forged = new Dictionary<string, string>(fields) { ["confirm"] = "yes" };
        forged.Remove(forged.Keys.Single(k => k.StartsWith("__", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(forged))).StatusCode);
        await AssertSignedInAsync(driver);

        fields["confirm"] = "yes";
        var confirmed = await driver.Browser.PostAsync("/connect/endsession", new FormUrlEncodedContent(fields));
        Assert.Equal(TestClients.PostLogout + "?state=s3", confirmed.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task The_confirmation_page_lets_its_form_end_wherever_a_registered_redirect_leads()
    {
        // The confirmation posts to /connect/endsession, which redirects to post_logout_redirect_uri, which may redirect
        // on to another origin. Chromium holds every redirect of a form submission to the page's form-action, so the
        // page has none; an unregistered URI is never followed, so its page keeps its forms on the bridge.
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var page = await EndSessionAsync(driver, new() { ["client_id"] = TestClients.Web, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("form-action", string.Join(' ', page.Headers.GetValues("Content-Security-Policy")));

        var unregistered = await EndSessionAsync(driver, new() { ["client_id"] = TestClients.Web, ["post_logout_redirect_uri"] = "https://evil.example/after" });
        Assert.Equal(HttpStatusCode.OK, unregistered.StatusCode);
        Assert.Contains("form-action 'self';", string.Join(' ', unregistered.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Hint_of_another_session_does_not_log_out_without_confirmation()
    {
        var victim = new OidcDriver(host);
        await victim.LoginAsync();
        var attacker = new OidcDriver(host);
        var attackerTokens = await attacker.LoginAsync();
        var response = await EndSessionAsync(victim, new() { ["id_token_hint"] = attackerTokens.GetProperty("id_token").GetString()!, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign out?", await response.Content.ReadAsStringAsync());
        await AssertSignedInAsync(victim);

        var mismatch = await EndSessionAsync(victim, new() { ["id_token_hint"] = attackerTokens.GetProperty("id_token").GetString()!, ["client_id"] = TestClients.Other });
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
    }

    [Fact]
    public async Task Hint_from_an_earlier_session_of_the_same_user_does_not_log_out_without_confirmation()
    {
        // The user's ID token from a session that ended (or lives in another browser) names the user but not
        // this session: RP-Initiated Logout §2 asks the user first.
        var earlier = new OidcDriver(host);
        var old = await earlier.LoginAsync();
        var driver = new OidcDriver(host, earlier.Wallet);
        await driver.LoginAsync();
        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = old.GetProperty("id_token").GetString()!, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign out?", await response.Content.ReadAsStringAsync());
        await AssertSignedInAsync(driver);
    }

    [Fact]
    public async Task Hint_without_sid_is_matched_on_the_user()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var idToken = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        string hint;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var signer = scope.ServiceProvider.GetRequiredService<JwtSigner>();
            var now = host.Clock.GetUtcNow().ToUnixTimeSeconds();
            hint = signer.Sign(new Dictionary<string, object>
            {
                ["iss"] = BridgeFactory.Issuer, ["aud"] = TestClients.Web, ["sub"] = idToken.Subject, ["iat"] = now, ["exp"] = now + 300,
            }, signer.DefaultAlgorithm, "JWT");
        }
        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = hint, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(TestClients.PostLogout, response.Headers.Location?.OriginalString);
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task A_hint_that_fails_validation_is_an_error_and_never_redirects()
    {
        // RP-Initiated Logout §2: the OP validates that it issued the id_token_hint; §4: when a validation fails,
        // nothing that depends on it is done and the OP does not redirect to the RP, even though client_id alone
        // names a client whose registered URI was asked for.
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var signature = idToken.LastIndexOf('.') + 1;
        var tampered = idToken[..signature] + (idToken[signature] == 'A' ? 'B' : 'A') + idToken[(signature + 1)..];
        string foreignIssuer;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var signer = scope.ServiceProvider.GetRequiredService<JwtSigner>();
            var claims = OidcDriver.Jwt(idToken);
            var now = host.Clock.GetUtcNow().ToUnixTimeSeconds();
            foreignIssuer = signer.Sign(new Dictionary<string, object>
            {
                ["iss"] = "https://elsewhere.example", ["aud"] = TestClients.Web, ["sub"] = claims.Subject,
                ["sid"] = claims.GetPayloadValue<string>("sid"), ["iat"] = now, ["exp"] = now + 300,
            }, signer.DefaultAlgorithm, "JWT");
        }

        foreach (var hint in new[] { tampered, foreignIssuer })
        {
            foreach (var browser in new[] { driver, new OidcDriver(host) })
            {
                var response = await EndSessionAsync(browser, new()
                {
                    ["id_token_hint"] = hint,
                    ["client_id"] = TestClients.Web,
                    ["post_logout_redirect_uri"] = TestClients.PostLogout,
                    ["state"] = "bad-hint",
                });
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Null(response.Headers.Location);
                Assert.DoesNotContain("<form", await response.Content.ReadAsStringAsync());
            }
            await AssertSignedInAsync(driver);
        }
    }

    [Fact]
    public async Task Back_channel_logout_reads_no_response_body()
    {
        // Back-Channel Logout 1.0 §2.8: only the status of the answer matters. A client endpoint that answers with
        // an endless or huge body must not make the bridge buffer it.
        const string hugeBackChannel = "https://huge.example/backchannel";
        await host.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = hugeBackChannel);
        var body = new ZeroStream(64L * 1024 * 1024);
        host.BackChannel.Responses[hugeBackChannel] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });
        try
        {
            var driver = new OidcDriver(host);
            await driver.LoginAsync();
            var accountId = await host.AccountIdOfAsync(driver.Wallet);
            var sessionId = await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == accountId).Select(s => s.Id).SingleAsync());

            var notifier = host.Services.GetRequiredService<BackChannelLogoutNotifier>();
            await notifier.Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Contains(host.BackChannel.Requests, r => r.Uri.ToString() == hugeBackChannel);
            Assert.True(body.BytesRead < 1024 * 1024, $"{body.BytesRead} bytes of the answer were read");
        }
        finally
        {
            host.BackChannel.Responses.TryRemove(hugeBackChannel, out _);
            await host.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = null);
        }
    }

    [Fact]
    public async Task A_session_ended_by_a_concurrent_logout_is_not_logged_out_twice()
    {
        // Two logout requests of one browser both found the session live; the one that ends it second must not
        // record a second logout, nor send the session's clients a second logout token.
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.AccountId == accountId));

        for (var i = 0; i < 2; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            await scope.ServiceProvider.GetRequiredService<SessionService>().LogoutAsync(context, session);
        }

        var logouts = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "session.logout" && e.Details!.Contains(session.Id)).CountAsync());
        Assert.Equal(1, logouts);
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task A_code_not_redeemed_before_the_logout_is_refused()
    {
        // The user logs out between an authorization response and the client's token request. Redeemed, the code
        // would give the client an ID token naming the ended session, and the client, recorded as one of the
        // session's only then, would never receive its logout token. offline_access does not change that: the
        // sign-in the code stands for never completed within a live session.
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var sessionBound = await driver.GetCodeAsync(driver.Params(TestClients.Other, scope: "openid profile"));
        var offline = await driver.GetCodeAsync(driver.Params(TestClients.Other));

        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(TestClients.PostLogout, response.Headers.Location!.OriginalString);

        foreach (var code in new[] { sessionBound, offline })
            await OidcDriver.AssertError(await driver.RedeemAsync(code, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.BadRequest, "invalid_grant");
        // What was redeemed before the logout is left as it was: the offline refresh token lives on.
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Back_channel_logout_token_is_posted_to_the_sessions_clients()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var idToken = OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!);
        var sid = idToken.GetPayloadValue<string>("sid");
        await EndSessionAsync(driver, new() { ["id_token_hint"] = tokens.GetProperty("id_token").GetString()! });

        var (uri, body) = await host.BackChannel.WaitForAsync(b => LogoutToken(b)?.GetPayloadValue<string>("sid") == sid, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, uri.ToString());
        var raw = LogoutToken(body)!.EncodedToken;
        var jwks = new JsonWebKeySet(await host.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = BridgeFactory.Issuer,
            ValidAudience = TestClients.Web,
            ValidateLifetime = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["logout+jwt"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(idToken.Subject, token.Subject);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.True(token.TryGetPayloadValue<long>("iat", out _));
        Assert.True(token.GetPayloadValue<long>("exp") > token.GetPayloadValue<long>("iat"));
        Assert.False(token.TryGetPayloadValue<string>("nonce", out _));
        var events = token.GetPayloadValue<System.Text.Json.JsonElement>("events");
        Assert.Equal(System.Text.Json.JsonValueKind.Object, events.GetProperty("http://schemas.openid.net/event/backchannel-logout").ValueKind);
    }

    [Fact]
    public async Task A_pairwise_client_gets_a_sid_of_its_own_and_receives_it_at_back_channel_logout()
    {
        const string pairwiseBackChannel = "https://pairwise.example/backchannel";
        await host.UpdateClientAsync(TestClients.Pairwise, c => c.BackChannelLogoutUri = pairwiseBackChannel);
        var driver = new OidcDriver(host);
        var web = await driver.LoginAsync();
        var pairwise = await driver.LoginAsync(driver.Params(TestClients.Pairwise), TestClients.Pairwise, "pairwise-secret");

        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.SingleAsync(s => s.AccountId == accountId));
        var webSid = OidcDriver.Jwt(web.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");
        var pairwiseId = OidcDriver.Jwt(pairwise.GetProperty("id_token").GetString()!);
        var pairwiseSid = pairwiseId.GetPayloadValue<string>("sid");
        Assert.Equal(session.Id, webSid);
        Assert.False(string.IsNullOrEmpty(pairwiseSid));
        Assert.NotEqual(webSid, pairwiseSid);
        Assert.NotEqual(accountId, pairwiseId.Subject);
        Assert.Equal(pairwiseSid, OidcDriver.Jwt(pairwise.GetProperty("access_token").GetString()!).GetPayloadValue<string>("sid"));

        // The same browser session signs in again to the pairwise client: the same sid.
        var again = await driver.LoginAsync(driver.Params(TestClients.Pairwise), TestClients.Pairwise, "pairwise-secret");
        Assert.Equal(pairwiseSid, OidcDriver.Jwt(again.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid"));

        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = pairwise.GetProperty("id_token").GetString()!, ["post_logout_redirect_uri"] = TestClients.PostLogout });
        Assert.Equal(TestClients.PostLogout, response.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(driver);

        var (pairwiseUri, pairwiseBody) = await host.BackChannel.WaitForAsync(b => LogoutToken(b)?.GetPayloadValue<string>("sid") == pairwiseSid, TimeSpan.FromSeconds(30));
        Assert.Equal(pairwiseBackChannel, pairwiseUri.ToString());
        Assert.Equal(pairwiseId.Subject, LogoutToken(pairwiseBody)!.Subject);
        var (webUri, _) = await host.BackChannel.WaitForAsync(b => LogoutToken(b)?.GetPayloadValue<string>("sid") == webSid, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, webUri.ToString());
    }

    [Fact]
    public async Task Every_client_that_got_tokens_in_a_session_is_recorded_once()
    {
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        await driver.LoginAsync();
        await driver.LoginAsync(clientId: TestClients.Other, secret: TestClients.OtherSecret);
        await driver.LoginAsync(clientId: TestClients.Other, secret: TestClients.OtherSecret);
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var sessionId = await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == accountId).Select(s => s.Id).SingleAsync());

        var stored = await host.WithDbAsync(db => db.SessionClients.Where(c => c.SessionId == sessionId).Select(c => c.ClientId).ToListAsync());
        Assert.Equal([TestClients.Other, TestClients.Web], stored.Order(StringComparer.Ordinal));

        // The clients a logout notifies are read from the table, not from what this node remembers.
        await using var scope = host.Services.CreateAsyncScope();
        var clients = await scope.ServiceProvider.GetRequiredService<SessionService>().EndAsync(sessionId);
        Assert.Equal([TestClients.Other, TestClients.Web], clients.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Offline_refresh_tokens_outlive_the_session_and_session_bound_ones_do_not()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var session = await host.WithDbAsync(db => db.Sessions.SingleAsync(s => s.AccountId == accountId));
        var bound = await host.SessionBoundRefreshTokenAsync(accountId, session);
        await EndSessionAsync(driver, new() { ["id_token_hint"] = tokens.GetProperty("id_token").GetString()! });

        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!)).StatusCode);
        await OidcDriver.AssertError(await driver.RefreshAsync(bound), HttpStatusCode.BadRequest, "invalid_grant");
    }

    private static JsonWebToken? LogoutToken(string body)
    {
        var form = QueryHelpers.ParseQuery(body);
        return form.TryGetValue("logout_token", out var value) ? new JsonWebToken(value.ToString()) : null;
    }

    private static Task<HttpResponseMessage> EndSessionAsync(OidcDriver driver, Dictionary<string, string> parameters) =>
        driver.Browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", parameters!));

    private static async Task AssertSignedOutAsync(OidcDriver driver)
    {
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }

    private static async Task AssertSignedInAsync(OidcDriver driver)
    {
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(p)).ContainsKey("code"));
    }
}
