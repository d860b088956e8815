using System.Net;

namespace IdentityBridge.Tests.Provider;

public sealed class UserInfoTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task A_request_without_a_token_gets_a_bare_challenge_with_no_error()
    {
        // RFC 6750 §3.1: no error code or other error information when the request carried no authentication.
        foreach (var accept in new[] { "application/json", "text/html" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
            request.Headers.Accept.ParseAdd(accept);
            var response = await host.CreateApiClient().SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer realm=\"IdentityBridge\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal("", await response.Content.ReadAsStringAsync());
        }

        var invalid = await new OidcDriver(host).UserInfoAsync("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Contains("error=\"invalid_token\"", invalid.Headers.WwwAuthenticate.ToString());
        Assert.Contains("invalid_token", await invalid.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_access_token_for_a_resource_server_is_refused_as_invalid_token_yet_introspects_as_active()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["resource"] = TestClients.Resource;
        var forApi = (await driver.LoginAsync(p)).GetProperty("access_token").GetString()!;
        Assert.Equal([TestClients.Resource], OidcDriver.Jwt(forApi).Audiences);

        var refused = await driver.UserInfoAsync(forApi);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = refused.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"invalid_token\"", challenge);
        Assert.Contains("error_description=\"The access token is for another audience", challenge);

        // Introspection describes the token whatever its audience.
        var introspect = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = forApi }) };
        introspect.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        var described = await OidcDriver.Json(await driver.Api.SendAsync(introspect), HttpStatusCode.OK);
        Assert.True(described.GetProperty("active").GetBoolean());
        Assert.Equal(TestClients.Resource, described.GetProperty("aud").GetString());

        // The same user without a resource: the token's audience is the client, and userinfo answers.
        var again = new OidcDriver(host, driver.Wallet);
        var forClient = (await again.LoginAsync()).GetProperty("access_token").GetString()!;
        Assert.Equal([TestClients.Web], OidcDriver.Jwt(forClient).Audiences);
        Assert.Equal(HttpStatusCode.OK, (await again.UserInfoAsync(forClient)).StatusCode);
    }
}
