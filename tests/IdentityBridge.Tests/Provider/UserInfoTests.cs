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
}
