using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.TestHost;

namespace IdentityBridge.Tests.Provider;

/// <summary>An ASP.NET Core API validating the bridge's access tokens with stock JwtBearer, from discovery and JWKS alone.</summary>
public sealed class ResourceServerTests(ProviderHost bridge) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task JwtBearer_accepts_our_tokens_for_its_audience_and_rejects_other_audiences_and_expired_tokens()
    {
        await using var api = await StartApiAsync();
        var client = api.GetTestClient();

        var driver = new OidcDriver(bridge);
        var p = driver.Params();
        p["resource"] = TestClients.Resource;
        var forApi = (await driver.LoginAsync(p)).GetProperty("access_token").GetString()!;
        var ok = await CallAsync(client, forApi);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(await bridge.AccountIdOfAsync(driver.Wallet), await ok.Content.ReadAsStringAsync());

        var other = new OidcDriver(bridge, driver.Wallet);
        var forClient = (await other.LoginAsync(other.Params())).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(client, forClient)).StatusCode);

        bridge.Clock.Advance(TimeSpan.FromHours(-3));
        try
        {
            var cc = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["resource"] = TestClients.Resource };
            var expired = (await OidcDriver.Json(await driver.TokenAsync(cc, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
            Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(client, expired)).StatusCode);
        }
        finally
        {
            bridge.Clock.Advance(TimeSpan.FromHours(3));
        }
        var cc2 = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["resource"] = TestClients.Resource };
        var current = (await OidcDriver.Json(await driver.TokenAsync(cc2, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(client, current)).StatusCode);
    }

    private async Task<WebApplication> StartApiAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.Authority = Infrastructure.BridgeFactory.Issuer;
            o.RequireHttpsMetadata = false;
            o.Audience = TestClients.Resource;
            o.MapInboundClaims = false;
            o.BackchannelHttpHandler = bridge.Server.CreateHandler();
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (ClaimsPrincipal user) => user.FindFirst("sub")?.Value ?? "").RequireAuthorization();
        await app.StartAsync();
        return app;
    }

    private static Task<HttpResponseMessage> CallAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
