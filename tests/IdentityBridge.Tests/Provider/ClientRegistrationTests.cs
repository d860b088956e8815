using System.Net;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

public sealed class ClientRegistrationTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task Disabled_client_is_refused_at_once_after_invalidation()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync(driver.Params(TestClients.Other), TestClients.Other, TestClients.OtherSecret);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(form, TestClients.Other, TestClients.OtherSecret)).StatusCode);

        await host.UpdateClientAsync(TestClients.Other, c => c.Enabled = false);

        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Other, TestClients.OtherSecret), HttpStatusCode.Unauthorized, "invalid_client");
        var authorize = await driver.AuthorizeAsync(driver.Params(TestClients.Other));
        Assert.Equal(HttpStatusCode.BadRequest, authorize.StatusCode);
        Assert.Null(authorize.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, (await driver.UserInfoAsync(tokens.GetProperty("access_token").GetString()!)).StatusCode);

        await host.UpdateClientAsync(TestClients.Other, c => c.Enabled = true);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(form, TestClients.Other, TestClients.OtherSecret)).StatusCode);
    }

    [Fact]
    public async Task Expired_client_secret_no_longer_authenticates()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = "unknown" };
        await host.WithDbAsync(async db =>
        {
            foreach (var secret in await db.ClientSecrets.Where(s => s.ClientId == TestClients.Es256).ToListAsync()) secret.ExpiresAt = host.Clock.GetUtcNow().AddMinutes(1);
            await db.SaveChangesAsync();
        });
        host.Services.GetRequiredService<IdentityBridge.Provider.Clients.ClientStore>().Invalidate(TestClients.Es256);
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Es256, "es256-secret"), HttpStatusCode.BadRequest, "invalid_grant");
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Es256, "es256-secret"), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Code_challenge_method_without_challenge_and_a_different_resource_at_the_token_endpoint_are_refused()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.NoPkce);
        p.Remove("code_challenge");
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeSignedInAsync(p))["error"]);

        var withResource = driver.Params();
        withResource["resource"] = TestClients.Resource;
        var code = await driver.GetCodeAsync(withResource);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect,
            ["code_verifier"] = driver.Verifier, ["resource"] = "https://other.example",
        };
        await OidcDriver.AssertError(await driver.TokenAsync(form, TestClients.Web, TestClients.WebSecret), HttpStatusCode.BadRequest, "invalid_target");
    }
}
