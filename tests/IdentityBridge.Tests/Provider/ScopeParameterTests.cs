using System.Net;
using System.Text;
using IdentityBridge.Provider.Grants;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// RFC 6749 §3.3: scope is a list of one or more scope tokens. A scope sent empty counts as omitted (§3.1), as at
/// the authorization endpoint; a scope of blanks names no scope at all and is invalid_scope, at every grant that takes one.
/// </summary>
public sealed class ScopeParameterTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Theory]
    [InlineData("%20")]
    [InlineData("%20%20%20")]
    [InlineData("%09")]
    public async Task Client_credentials_with_a_blank_scope_is_invalid_scope(string scope)
    {
        var driver = new OidcDriver(host);
        await OidcDriver.AssertError(await PostAsync(driver, "grant_type=client_credentials&scope=" + scope), HttpStatusCode.BadRequest, "invalid_scope");

        // Sent empty, the scope is omitted: the client's own scopes.
        var json = await OidcDriver.Json(await PostAsync(driver, "grant_type=client_credentials&scope="), HttpStatusCode.OK);
        Assert.Equal("email profile roles wallet", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Refresh_with_a_blank_scope_is_invalid_scope_and_keeps_the_refresh_token()
    {
        var driver = new OidcDriver(host);
        var refresh = (await driver.LoginAsync(driver.Params(scope: "openid profile offline_access"))).GetProperty("refresh_token").GetString()!;
        await OidcDriver.AssertError(await PostAsync(driver, "grant_type=refresh_token&scope=%20&refresh_token=" + Uri.EscapeDataString(refresh)),
            HttpStatusCode.BadRequest, "invalid_scope");

        var json = await OidcDriver.Json(await PostAsync(driver, "grant_type=refresh_token&scope=&refresh_token=" + Uri.EscapeDataString(refresh)), HttpStatusCode.OK);
        Assert.Equal("openid profile offline_access", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Token_exchange_with_a_blank_scope_is_invalid_scope()
    {
        await host.UpdateClientAsync(TestClients.Other, c => c.AllowedGrantTypes += " " + GrantTypeNames.TokenExchange);
        var driver = new OidcDriver(host);
        var body = "grant_type=" + Uri.EscapeDataString(GrantTypeNames.TokenExchange) + "&subject_token=not-a-jwt&subject_token_type="
            + Uri.EscapeDataString(TokenExchangeTypes.XAppJwt) + "&scope=%20";
        await OidcDriver.AssertError(await PostAsync(driver, body, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.BadRequest, "invalid_scope");
    }

    private static Task<HttpResponseMessage> PostAsync(OidcDriver driver, string body, string clientId = TestClients.Web, string secret = TestClients.WebSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = OidcDriver.Basic(clientId, secret);
        return driver.Api.SendAsync(request);
    }
}
