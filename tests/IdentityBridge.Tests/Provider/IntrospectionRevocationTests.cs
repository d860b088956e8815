using System.Net;
using Microsoft.EntityFrameworkCore;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

public sealed class IntrospectionRevocationTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Introspection_shows_own_tokens_active_and_everything_else_inactive()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var json = await Introspect(driver, access, TestClients.Web, TestClients.WebSecret);
        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(TestClients.Web, json.GetProperty("client_id").GetString());
        Assert.Equal(await host.AccountIdOfAsync(driver.Wallet), json.GetProperty("sub").GetString());
        Assert.Equal(BridgeFactory.Issuer, json.GetProperty("iss").GetString());
        Assert.Contains("openid", json.GetProperty("scope").GetString());

        var refreshInfo = await Introspect(driver, refresh, TestClients.Web, TestClients.WebSecret);
        Assert.True(refreshInfo.GetProperty("active").GetBoolean());
        Assert.Equal("refresh_token", refreshInfo.GetProperty("token_type").GetString());

        Assert.False((await Introspect(driver, access, TestClients.Other, TestClients.OtherSecret)).GetProperty("active").GetBoolean());
        Assert.False((await Introspect(driver, refresh, TestClients.Other, TestClients.OtherSecret)).GetProperty("active").GetBoolean());
        Assert.True((await Introspect(driver, access, TestClients.Admin, "admin-secret")).GetProperty("active").GetBoolean());
        var inactive = await Introspect(driver, "garbage", TestClients.Web, TestClients.WebSecret);
        Assert.Equal(["active"], inactive.EnumerateObject().Select(p => p.Name));
        Assert.False(inactive.GetProperty("active").GetBoolean());

        host.Clock.Advance(TimeSpan.FromSeconds(901));
        Assert.False((await Introspect(driver, access, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspection_requires_an_authenticated_confidential_client()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["token"] = "x", ["client_id"] = TestClients.Spa };
        var response = await driver.Api.PostAsync("/connect/introspect", new FormUrlEncodedContent(form));
        await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "x" }) };
        wrong.Headers.Authorization = OidcDriver.Basic(TestClients.Web, "wrong");
        await OidcDriver.AssertError(await driver.Api.SendAsync(wrong), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Revoking_a_refresh_token_ends_its_family()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Revoke(driver, refresh, TestClients.Web, TestClients.WebSecret)).StatusCode);
        await OidcDriver.AssertError(await driver.RefreshAsync(refresh), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(access)).StatusCode);
        Assert.False((await Introspect(driver, access, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoking_an_access_token_ends_only_that_token()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Revoke(driver, access, TestClients.Web, TestClients.WebSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(access)).StatusCode);
        Assert.False((await Introspect(driver, access, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
        var refreshed = await OidcDriver.Json(await driver.RefreshAsync(tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(refreshed.GetProperty("access_token").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Revocation_by_another_client_or_of_unknown_tokens_is_200_without_effect()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Revoke(driver, access, TestClients.Other, TestClients.OtherSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Revoke(driver, refresh, TestClients.Other, TestClients.OtherSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Revoke(driver, "unknown-token", TestClients.Web, TestClients.WebSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(access)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(refresh)).StatusCode);
    }

    [Fact]
    public async Task Public_clients_may_revoke_their_own_tokens_with_client_id()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params(TestClients.Spa));
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect,
            ["code_verifier"] = driver.Verifier, ["client_id"] = TestClients.Spa,
        };
        var tokens = await OidcDriver.Json(await driver.TokenAsync(form), HttpStatusCode.OK);
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        var revoke = await driver.Api.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refresh, ["client_id"] = TestClients.Spa }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var refreshForm = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = TestClients.Spa };
        await OidcDriver.AssertError(await driver.TokenAsync(refreshForm), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Repeated_parameters_are_refused_at_revocation_introspection_and_userinfo()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var refresh = tokens.GetProperty("refresh_token").GetString()!;
        var access = tokens.GetProperty("access_token").GetString()!;

        await OidcDriver.AssertError(await Raw(driver, "/connect/revoke", "token=not-a-token&token=" + refresh, TestClients.Web, TestClients.WebSecret),
            HttpStatusCode.BadRequest, "invalid_request");
        await OidcDriver.AssertError(await Raw(driver, "/connect/revoke", "client_id=spa&client_id=spa&token=" + refresh, null, null),
            HttpStatusCode.BadRequest, "invalid_request");
        await OidcDriver.AssertError(await Raw(driver, "/connect/introspect", "token=x&token=" + access, TestClients.Web, TestClients.WebSecret),
            HttpStatusCode.BadRequest, "invalid_request");
        var userinfo = await Raw(driver, "/connect/userinfo", "access_token=x&access_token=" + access, null, null);
        await OidcDriver.AssertError(userinfo, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("error=\"invalid_request\"", userinfo.Headers.WwwAuthenticate.ToString());

        // Nothing was revoked.
        Assert.True((await Introspect(driver, access, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(refresh)).StatusCode);
    }

    private static Task<HttpResponseMessage> Raw(OidcDriver driver, string path, string body, string? clientId, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        if (clientId is not null) request.Headers.Authorization = OidcDriver.Basic(clientId, secret!);
        return driver.Api.SendAsync(request);
    }

    [Fact]
    public async Task A_refresh_token_the_refresh_grant_would_refuse_is_inactive_at_introspection()
    {
        // RFC 7662 §2.2: active means the token can be used now. Two reasons the refresh grant refuses a stored,
        // unexpired refresh token: its client may no longer use the grant, or an AllowList client no longer admits the account.
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync()).GetProperty("refresh_token").GetString()!;
        Assert.True((await Introspect(driver, refresh, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
        var grants = await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId == TestClients.Web).Select(c => c.AllowedGrantTypes).FirstAsync());
        try
        {
            await host.UpdateClientAsync(TestClients.Web, c => c.AllowedGrantTypes = "authorization_code");
            Assert.False((await Introspect(driver, refresh, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
            await OidcDriver.AssertError(await driver.RefreshAsync(refresh), HttpStatusCode.BadRequest, "unauthorized_client");
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Web, c => c.AllowedGrantTypes = grants);
        }

        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        try
        {
            await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Enrolled, false)));
            await host.UpdateClientAsync(TestClients.Web, c => c.Provisioning = "AllowList");
            Assert.False((await Introspect(driver, refresh, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
            await OidcDriver.AssertError(await driver.RefreshAsync(refresh), HttpStatusCode.BadRequest, "invalid_grant");
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Web, c => c.Provisioning = null);
        }
        Assert.True((await Introspect(driver, refresh, TestClients.Web, TestClients.WebSecret)).GetProperty("active").GetBoolean());
    }

    private static async Task<System.Text.Json.JsonElement> Introspect(OidcDriver driver, string token, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcDriver.Basic(clientId, secret);
        var response = await driver.Api.SendAsync(request);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return await OidcDriver.Json(response, HttpStatusCode.OK);
    }

    private static Task<HttpResponseMessage> Revoke(OidcDriver driver, string token, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = OidcDriver.Basic(clientId, secret);
        return driver.Api.SendAsync(request);
    }
}
