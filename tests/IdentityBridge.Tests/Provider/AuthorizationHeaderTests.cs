using System.Net;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// RFC 9110 §5.3: Authorization is a singleton field. A request that carries it twice is malformed, refused with
/// invalid_request before any client is authenticated, and never falls back to credentials in the form.
/// </summary>
public sealed class AuthorizationHeaderTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Theory]
    [InlineData("/connect/token")]
    [InlineData("/connect/introspect")]
    [InlineData("/connect/revoke")]
    public async Task Two_authorization_headers_are_invalid_request(string path)
    {
        await host.UpdateClientAsync(TestClients.Post, c => c.AllowedGrantTypes = "authorization_code refresh_token client_credentials");
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["token"] = "not-a-token",
            ["client_id"] = TestClients.Post,
            ["client_secret"] = TestClients.PostSecret,
        };

        // One header field, no credentials of its own: the form authenticates the client.
        Assert.Equal(HttpStatusCode.OK, (await driver.Api.SendAsync(Request(path, form, "Bearer x"))).StatusCode);

        foreach (var second in new[] { "Bearer x", OidcDriver.Basic(TestClients.Web, TestClients.WebSecret).ToString() })
        {
            var response = await driver.Api.SendAsync(Request(path, form, "Bearer x", second));
            await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    [Fact]
    public async Task Two_authorization_headers_at_userinfo_are_invalid_request()
    {
        var driver = new OidcDriver(host);
        var access = (await driver.LoginAsync()).GetProperty("access_token").GetString()!;
        var request = Request("/connect/userinfo", new Dictionary<string, string> { ["access_token"] = access }, "Basic eDp5", "Basic eDp5");
        var response = await driver.Api.SendAsync(request);
        await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString());
    }

    private static HttpRequestMessage Request(string path, Dictionary<string, string> form, params string[] authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        foreach (var value in authorization) Assert.True(request.Headers.TryAddWithoutValidation("Authorization", value));
        return request;
    }
}
