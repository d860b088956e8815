using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using IdentityBridge.Audit;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

public sealed class TokenTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Code_redeems_once_with_a_no_store_bearer_response()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var response = await driver.RedeemAsync(code);
        var json = await OidcDriver.Json(response, HttpStatusCode.OK);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(900, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("openid profile email wallet roles offline_access", json.GetProperty("scope").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("id_token").GetString()));
        Assert.Equal(43, json.GetProperty("refresh_token").GetString()!.Length);
    }

    [Fact]
    public async Task Code_reuse_fails_and_revokes_what_the_first_redemption_got()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var first = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(first.GetProperty("access_token").GetString()!)).StatusCode);

        await OidcDriver.AssertError(await driver.RedeemAsync(code), HttpStatusCode.BadRequest, "invalid_grant");

        await OidcDriver.AssertError(await driver.RefreshAsync(first.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(first.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Code_reuse_after_the_code_expired_still_revokes_what_the_first_redemption_got()
    {
        // RFC 6749 §4.1.2: a code used more than once is refused and what it issued revoked; that it has
        // expired meanwhile does not make the second use any less a replay.
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var first = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        host.Clock.Advance(TimeSpan.FromSeconds(61));

        var replay = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());
        Assert.Equal("The code was already used.", replay.GetProperty("error_description").GetString());

        await OidcDriver.AssertError(await driver.RefreshAsync(first.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(first.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_redemptions_of_one_code_yield_one_token_response()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => driver.RedeemAsync(code)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task Pkce_verifier_must_match_the_challenge()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var other = new OidcDriver(host).Verifier;
        await OidcDriver.AssertError(await driver.RedeemAsync(code, verifier: other), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_refused_redemption_does_not_use_the_code_up()
    {
        // RFC 6749 §4.1.2 makes a code single-use; a redemption refused for its verifier, redirect_uri or client is
        // not a use, so the client that holds the right values can still redeem it.
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        await OidcDriver.AssertError(await driver.RedeemAsync(code, verifier: new OidcDriver(host).Verifier), HttpStatusCode.BadRequest, "invalid_grant");
        await OidcDriver.AssertError(await driver.RedeemAsync(code, redirectUri: TestClients.Redirect + "/"), HttpStatusCode.BadRequest, "invalid_grant");

        var tokens = await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Pkce_downgrade_is_refused_both_ways()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect };
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_grant");

        var p = driver.Params(TestClients.NoPkce);
        p.Remove("code_challenge");
        p.Remove("code_challenge_method");
        var noChallenge = await driver.GetCodeAsync(p);
        await OidcDriver.AssertError(await driver.RedeemAsync(noChallenge, TestClients.NoPkce, "nopkce-secret"), HttpStatusCode.BadRequest, "invalid_grant");

        var plain = await driver.GetCodeAsync(p);
        form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = plain, ["redirect_uri"] = TestClients.Redirect };
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(form, TestClients.NoPkce, "nopkce-secret")).StatusCode);
    }

    [Fact]
    public async Task Another_client_cannot_redeem_the_code()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        await OidcDriver.AssertError(await driver.RedeemAsync(code, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, (await driver.RedeemAsync(code)).StatusCode);
    }

    [Fact]
    public async Task Redirect_uri_must_equal_the_authorize_one()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        await OidcDriver.AssertError(await driver.RedeemAsync(code, redirectUri: TestClients.Redirect + "/"), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_code_redemption_without_redirect_uri_is_invalid_request_and_leaves_the_code_usable()
    {
        // RFC 6749 §4.1.3: redirect_uri is required when the authorization request had one (here always); a request
        // missing a required parameter is invalid_request (§5.2), not a code that does not match.
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["code_verifier"] = driver.Verifier };
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal(HttpStatusCode.OK, (await driver.RedeemAsync(code)).StatusCode);
    }

    [Fact]
    public async Task Code_expires_after_sixty_seconds()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        await OidcDriver.AssertError(await driver.RedeemAsync(code), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_revokes_the_family()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var r1 = tokens.GetProperty("refresh_token").GetString()!;
        var second = await OidcDriver.Json(await driver.RefreshAsync(r1), HttpStatusCode.OK);
        var r2 = second.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(r1, r2);
        Assert.False(string.IsNullOrEmpty(second.GetProperty("id_token").GetString()));

        await OidcDriver.AssertError(await driver.RefreshAsync(r1), HttpStatusCode.BadRequest, "invalid_grant");
        await OidcDriver.AssertError(await driver.RefreshAsync(r2), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(second.GetProperty("access_token").GetString()!)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == AuditTypes.RefreshReuseDetected)));
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_rotate_it_once()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => driver.RefreshAsync(refresh)));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        // One successor at most: a rotation that lost the race stores nothing.
        var key = TokenHashes.Key(refresh);
        var family = await host.WithDbAsync(db => db.Grants.Where(g => g.Key == key).Select(g => g.FamilyId).SingleAsync());
        var members = await host.WithDbAsync(db => db.Grants.CountAsync(g => g.FamilyId == family && g.Type == GrantTypes.RefreshToken));
        Assert.Equal(2, members);
    }

    [Fact]
    public async Task Refresh_token_has_a_sliding_and_an_absolute_lifetime()
    {
        await host.UpdateClientAsync(TestClients.Other, c =>
        {
            c.RefreshTokenSlidingLifetimeSeconds = 100;
            c.RefreshTokenAbsoluteLifetimeSeconds = 250;
        });
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync(driver.Params(TestClients.Other), TestClients.Other, TestClients.OtherSecret)).GetProperty("refresh_token").GetString()!;
        for (var i = 0; i < 2; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(90));
            var next = await OidcDriver.Json(await driver.RefreshAsync(refresh, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.OK);
            refresh = next.GetProperty("refresh_token").GetString()!;
        }
        host.Clock.Advance(TimeSpan.FromSeconds(90));
        await OidcDriver.AssertError(await driver.RefreshAsync(refresh, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.BadRequest, "invalid_grant");

        var second = new OidcDriver(host);
        var idle = (await second.LoginAsync(second.Params(TestClients.Other), TestClients.Other, TestClients.OtherSecret)).GetProperty("refresh_token").GetString()!;
        host.Clock.Advance(TimeSpan.FromSeconds(101));
        await OidcDriver.AssertError(await driver.RefreshAsync(idle, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Refresh_may_narrow_scope_but_never_widen_it()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync(driver.Params(scope: "openid profile offline_access"))).GetProperty("refresh_token").GetString()!;
        await OidcDriver.AssertError(await driver.RefreshAsync(refresh, scope: "openid profile email"), HttpStatusCode.BadRequest, "invalid_scope");
        var narrowed = await OidcDriver.Json(await driver.RefreshAsync(refresh, scope: "openid"), HttpStatusCode.OK);
        Assert.Equal("openid", narrowed.GetProperty("scope").GetString());
        var again = await OidcDriver.Json(await driver.RefreshAsync(narrowed.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal("openid profile offline_access", again.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Refresh_cannot_move_the_grant_to_another_resource()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync(driver.Params(scope: "openid profile offline_access"))).GetProperty("refresh_token").GetString()!;
        var moved = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["resource"] = TestClients.Resource };
        await OidcDriver.AssertError(await driver.TokenAsync(moved, TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_target");

        var next = await OidcDriver.Json(await driver.RefreshAsync(refresh), HttpStatusCode.OK);
        Assert.Equal([TestClients.Web], OidcDriver.Jwt(next.GetProperty("access_token").GetString()!).Audiences);

        // A grant for the resource may name it again, or not at all; either way the refresh token stays bound to it.
        var p = driver.Params(scope: "openid profile offline_access");
        p["resource"] = TestClients.Resource;
        var bound = (await driver.LoginAsync(p)).GetProperty("refresh_token").GetString()!;
        var same = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = bound, ["resource"] = TestClients.Resource };
        var renamed = await OidcDriver.Json(await driver.TokenAsync(same, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal([TestClients.Resource], OidcDriver.Jwt(renamed.GetProperty("access_token").GetString()!).Audiences);
        var plain = await OidcDriver.Json(await driver.RefreshAsync(renamed.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal([TestClients.Resource], OidcDriver.Jwt(plain.GetProperty("access_token").GetString()!).Audiences);
    }

    [Fact]
    public async Task Refresh_issues_from_the_account_as_it_is_now_with_or_without_roles()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        await host.WithDbAsync(async db =>
        {
            await db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.DisplayName, "Renamed Holder"));
            db.AccountRoles.Add(new Storage.Entities.AccountRole { AccountId = accountId, Role = "auditor" });
            await db.SaveChangesAsync();
        });

        // Scopes that release neither roles nor wallets: the account read together with the refresh token.
        var narrowed = await OidcDriver.Json(await driver.RefreshAsync(refresh, scope: "openid profile"), HttpStatusCode.OK);
        var id = new JsonWebToken(narrowed.GetProperty("id_token").GetString()!);
        Assert.Equal("Renamed Holder", id.GetPayloadValue<string>("name"));
        Assert.False(id.TryGetPayloadValue<object>("roles", out _));

        // The full scope again: the account is read with its roles.
        var full = await OidcDriver.Json(await driver.RefreshAsync(narrowed.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        var access = new JsonWebToken(full.GetProperty("access_token").GetString()!);
        Assert.Contains("auditor", access.GetPayloadValue<string[]>("roles"));
        Assert.Equal("Renamed Holder", new JsonWebToken(full.GetProperty("id_token").GetString()!).GetPayloadValue<string>("name"));
    }

    [Fact]
    public async Task No_refresh_token_without_offline_access()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync(driver.Params(scope: "openid profile"));
        Assert.False(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Client_credentials_is_for_confidential_clients_only()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = TestClients.SpaCc };
        await OidcDriver.AssertError(await driver.TokenAsync(form), HttpStatusCode.BadRequest, "unauthorized_client");

        form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "roles" };
        var json = await OidcDriver.Json(await driver.TokenAsync(form, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.False(json.TryGetProperty("id_token", out _));
        Assert.False(json.TryGetProperty("refresh_token", out _));
        var jwt = OidcDriver.Jwt(json.GetProperty("access_token").GetString()!);
        Assert.Equal(TestClients.Web, jwt.Subject);
        Assert.Equal("roles", jwt.GetPayloadValue<string>("scope"));

        form["scope"] = "openid";
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_scope");
        form.Remove("scope");
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.NoPkce, "nopkce-secret"), HttpStatusCode.BadRequest, "unauthorized_client");
    }

    [Fact]
    public async Task Bad_client_credentials_are_401_invalid_client_with_a_basic_challenge()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        foreach (var (id, secret) in new[] { (TestClients.Web, "wrong"), ("nobody", "x") })
        {
            var response = await driver.TokenAsync(form, id, secret);
            await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString());
        }
        var post = new Dictionary<string, string>(form) { ["client_id"] = TestClients.Web, ["client_secret"] = "wrong" };
        await OidcDriver.AssertError(await driver.TokenAsync(post), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task Invalid_client_is_401_with_a_challenge_unless_the_credentials_were_in_the_body()
    {
        // RFC 9110 §15.5.2: a 401 response MUST carry WWW-Authenticate with at least one challenge; RFC 6749 §5.2
        // uses the 401 to say which HTTP authentication scheme the endpoint supports (Basic), and is otherwise 400.
        var driver = new OidcDriver(host);
        var challenged = new[]
        {
            await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Other, "wrong"),
            await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = TestClients.Web }),
            await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
            await driver.Api.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x", ["client_id"] = TestClients.Spa })),
        };
        foreach (var response in challenged)
        {
            await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        // Credentials in the body: a Basic challenge would tell the client to authenticate another way.
        var inBody = new[]
        {
            await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = TestClients.Post, ["client_secret"] = "wrong" }),
            await driver.TokenAsync(AssertionForm(Assertion(TestClients.JwtClientKey, "https://elsewhere.example/token"))),
        };
        foreach (var response in inBody)
        {
            await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, "invalid_client");
            Assert.Empty(response.Headers.WwwAuthenticate);
        }
    }

    [Fact]
    public async Task Basic_credentials_are_form_url_decoded_and_only_the_registered_method_is_accepted()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(form, TestClients.Other, TestClients.OtherSecret)).StatusCode);

        var raw = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(form) };
        raw.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(TestClients.Other + ":" + TestClients.OtherSecret)));
        await OidcDriver.AssertError(await driver.Api.SendAsync(raw), HttpStatusCode.Unauthorized, "invalid_client");

        var post = new Dictionary<string, string>(form) { ["client_id"] = TestClients.Web, ["client_secret"] = TestClients.WebSecret };
        await OidcDriver.AssertError(await driver.TokenAsync(post), HttpStatusCode.BadRequest, "invalid_client");

        var code = await driver.GetCodeAsync(driver.Params(TestClients.Post));
        var viaPost = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect, ["code_verifier"] = driver.Verifier,
            ["client_id"] = TestClients.Post, ["client_secret"] = TestClients.PostSecret,
        };
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(viaPost)).StatusCode);
    }

    [Fact]
    public async Task Private_key_jwt_accepts_a_good_assertion_once()
    {
        var driver = new OidcDriver(host);
        var assertion = Assertion(TestClients.JwtClientKey, "http://localhost/connect/token");
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(AssertionForm(assertion))).StatusCode);
        await OidcDriver.AssertError(await driver.TokenAsync(AssertionForm(assertion)), HttpStatusCode.BadRequest, "invalid_client");
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(AssertionForm(Assertion(TestClients.JwtClientKey, BridgeFactory.Issuer)))).StatusCode);
    }

    [Fact]
    public async Task Private_key_jwt_refuses_bad_signature_wrong_audience_and_long_or_missing_expiry()
    {
        var driver = new OidcDriver(host);
        using var stranger = RSA.Create(2048);
        var bad = new[]
        {
            Assertion(stranger, "http://localhost/connect/token"),
            Assertion(TestClients.JwtClientKey, "https://elsewhere.example/token"),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", lifetime: TimeSpan.FromHours(1)),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", lifetime: TimeSpan.FromMinutes(-5)),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", withExpiry: false),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", subject: "someone-else"),
        };
        foreach (var assertion in bad)
            await OidcDriver.AssertError(await driver.TokenAsync(AssertionForm(assertion)), HttpStatusCode.BadRequest, "invalid_client");
        var secret = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = TestClients.Jwt, ["client_secret"] = "guess" };
        await OidcDriver.AssertError(await driver.TokenAsync(secret), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task Private_key_jwt_with_times_beyond_the_calendar_is_invalid_client_not_500()
    {
        var driver = new OidcDriver(host);
        var bad = new[]
        {
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", exp: 99999999999999),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", exp: long.MaxValue),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", exp: -99999999999999),
            Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", nbf: 99999999999999),
        };
        foreach (var assertion in bad)
            await OidcDriver.AssertError(await driver.TokenAsync(AssertionForm(assertion)), HttpStatusCode.BadRequest, "invalid_client");
        // An nbf long past is no reason to refuse.
        var old = Assertion(TestClients.JwtClientKey, "http://localhost/connect/token", nbf: -99999999999999);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(AssertionForm(old))).StatusCode);
    }

    [Fact]
    public async Task Own_access_token_with_an_exp_beyond_the_calendar_is_not_a_server_error()
    {
        var driver = new OidcDriver(host);
        var token = host.Services.GetRequiredService<JwtSigner>().Sign(new Dictionary<string, object>
        {
            ["iss"] = BridgeFactory.Issuer,
            ["aud"] = TestClients.Web,
            ["client_id"] = TestClients.Web,
            ["sub"] = TestClients.Web,
            ["scope"] = "openid",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = host.Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["exp"] = 99999999999999,
        }, "RS256", "at+jwt");
        Assert.True((int)(await driver.UserInfoAsync(token)).StatusCode < 500);
        foreach (var path in new[] { "/connect/introspect", "/connect/revoke" })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
            request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
            var response = await driver.Api.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Malformed_token_requests_are_protocol_errors_not_500()
    {
        var driver = new OidcDriver(host);
        var json = await driver.Api.PostAsync("/connect/token", new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json"));
        await OidcDriver.AssertError(json, HttpStatusCode.BadRequest, "invalid_request");

        var duplicate = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent("grant_type=client_credentials&grant_type=authorization_code", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        duplicate.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        await OidcDriver.AssertError(await driver.Api.SendAsync(duplicate), HttpStatusCode.BadRequest, "invalid_request");

        await OidcDriver.AssertError(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "password" }, TestClients.Web, TestClients.WebSecret),
            HttpStatusCode.BadRequest, "unsupported_grant_type");
        await OidcDriver.AssertError(await driver.TokenAsync(new Dictionary<string, string>(), TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_request");
        await OidcDriver.AssertError(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = new string('x', 5000), ["redirect_uri"] = TestClients.Redirect }, TestClients.Web, TestClients.WebSecret),
            HttpStatusCode.BadRequest, "invalid_grant");

        var garbage = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }) };
        garbage.Headers.TryAddWithoutValidation("Authorization", "Basic %%%not-base64");
        await OidcDriver.AssertError(await driver.Api.SendAsync(garbage), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task A_repeated_resource_is_invalid_target_naming_one_resource_per_request()
    {
        var driver = new OidcDriver(host);
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent("grant_type=client_credentials&resource=" + Uri.EscapeDataString(TestClients.Resource) + "&resource=" + Uri.EscapeDataString("https://other.example"),
                Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        var json = await OidcDriver.Json(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_target", json.GetProperty("error").GetString());
        Assert.Contains("one resource per request", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Disabled_account_loses_refresh_and_userinfo_at_once()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        await host.DisableAccountAsync(await host.AccountIdOfAsync(driver.Wallet));
        await OidcDriver.AssertError(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        var userinfo = await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, userinfo.StatusCode);
        Assert.Contains("invalid_token", userinfo.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Withdrawn_enrolment_stops_codes_and_refresh_tokens_at_an_allow_list_client_only()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        var code = await driver.GetCodeAsync(driver.Params());
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        // The sign-in created the account under AutoCreate, which does not enrol it; AutoCreate clients do not ask.
        Assert.False(await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == accountId).Select(a => a.Enrolled).SingleAsync()));
        refresh = (await OidcDriver.Json(await driver.RefreshAsync(refresh), HttpStatusCode.OK)).GetProperty("refresh_token").GetString()!;

        await host.UpdateClientAsync(TestClients.Web, c => c.Provisioning = "AllowList");
        try
        {
            await OidcDriver.AssertError(await driver.RefreshAsync(refresh), HttpStatusCode.BadRequest, "invalid_grant");
            await OidcDriver.AssertError(await driver.RedeemAsync(code), HttpStatusCode.BadRequest, "invalid_grant");

            // Enrolled by an administrator, the account gets tokens again: the refusal did not consume the refresh token.
            await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Enrolled, true)));
            await OidcDriver.Json(await driver.RefreshAsync(refresh), HttpStatusCode.OK);
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Web, c => c.Provisioning = null);
        }
    }

    private string Assertion(RSA key, string audience, TimeSpan? lifetime = null, string subject = TestClients.Jwt, bool withExpiry = true, long? exp = null, long? nbf = null)
    {
        var now = host.Clock.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = TestClients.Jwt,
            ["sub"] = subject,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (withExpiry) claims["exp"] = exp ?? (now + (lifetime ?? TimeSpan.FromMinutes(2))).ToUnixTimeSeconds();
        if (nbf is not null) claims["nbf"] = nbf.Value;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "rp-key-1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private static Dictionary<string, string> AssertionForm(string assertion) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };
}
