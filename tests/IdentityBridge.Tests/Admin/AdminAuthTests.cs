using System.Net;
using IdentityBridge.Accounts;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

public sealed class AdminAuthTests(AdminAuthTests.Host host) : IClassFixture<AdminAuthTests.Host>
{
    public sealed class Host : AdminHost
    {
        public Host() => Settings["Bridge:Admin:BootstrapWallets:0"] = DefaultWallet;
    }

    [Fact]
    public async Task Without_a_token_the_api_answers_401_with_a_bearer_challenge()
    {
        var response = await host.Api(null).GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_malformed_token_is_refused_with_invalid_token()
    {
        var response = await host.Api("not-a-jwt").GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_from_another_issuer_signed_with_its_own_key_is_refused()
    {
        var admin = await host.CreateAdminAsync();
        var evil = host.Minter.Mint(admin, "bridge.admin", host.Clock.GetUtcNow(), issuer: "http://evil", key: TokenMinter.NewKey("evil"));
        var response = await host.Api(evil).GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_validly_signed_token_naming_another_issuer_is_refused()
    {
        var admin = await host.CreateAdminAsync();
        var token = host.Minter.Mint(admin, "bridge.admin", host.Clock.GetUtcNow(), issuer: "http://evil");
        var response = await host.Api(token).GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not issued by this bridge", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("https://hr-api.example.com")]
    [InlineData("admin-tool")]
    [InlineData(Infrastructure.BridgeFactory.Issuer)]
    public async Task A_token_with_the_admin_scope_issued_for_another_audience_is_refused(string audience)
    {
        var admin = await host.CreateAdminAsync();
        var token = host.Minter.Mint(admin, "bridge.admin", host.Clock.GetUtcNow(), audience: audience);
        var response = await host.Api(token).GetAsync("/admin/api/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not issued for the admin API", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var admin = await host.CreateAdminAsync();
        var token = host.Minter.Mint(admin, "bridge.admin", host.Clock.GetUtcNow(), lifetime: TimeSpan.FromSeconds(-30));
        var response = await host.Api(token).GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_without_the_admin_scope_gets_403_insufficient_scope()
    {
        var admin = await host.CreateAdminAsync();
        var response = await host.Api(host.Token(admin, scope: "openid profile")).GetAsync("/admin/api/clients");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains("scope=\"bridge.admin\"", challenge);
    }

    [Fact]
    public async Task A_token_of_an_account_without_the_admin_role_gets_403()
    {
        var keysBefore = await host.WithDbAsync(db => db.SigningKeys.CountAsync());
        var user = await host.CreateAccountAsync(null, "staff");
        var client = host.Api(host.Token(user));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/api/clients")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/api/accounts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/api/validate/redirect-uri?uri=https://a.example/cb")).StatusCode);
        var post = await client.PostAsync("/admin/api/keys/rotate", null);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(keysBefore, await host.WithDbAsync(db => db.SigningKeys.CountAsync()));
    }

    [Fact]
    public async Task An_admin_token_is_accepted_and_loses_access_at_once_when_the_role_is_revoked_or_the_account_disabled()
    {
        var (client, admin) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/api/clients")).StatusCode);

        await host.WithDbAsync(db => db.AccountRoles.Where(r => r.AccountId == admin).ExecuteDeleteAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/api/clients")).StatusCode);

        var other = await host.CreateAdminAsync();
        var otherClient = host.Api(host.Token(other));
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/admin/api/clients")).StatusCode);
        await host.WithDbAsync(db => db.Accounts.Where(a => a.Id == other).ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AccountStatus.Disabled)));
        Assert.Equal(HttpStatusCode.Forbidden, (await otherClient.GetAsync("/admin/api/clients")).StatusCode);
    }

    [Fact]
    public async Task A_client_credentials_token_of_an_enabled_client_is_accepted_for_automation()
    {
        var (admin, _) = await host.AdminApiAsync();
        var created = await admin.PostAsync("/admin/api/clients", Json.Body(new
        {
            clientId = "automation",
            allowedGrantTypes = new[] { "client_credentials" },
            allowedScopes = new[] { "bridge.admin" },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var robot = host.Api(host.Token("automation", scope: "bridge.admin", clientId: "automation"));
        Assert.Equal(HttpStatusCode.OK, (await robot.GetAsync("/admin/api/clients")).StatusCode);
        var made = await robot.PostAsync("/admin/api/accounts", Json.Body(new { displayName = "Made by robot" }));
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var id = (await Json.ReadAsync(made)).GetProperty("id").GetString();
        var actor = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id && e.Type == "account.created").Select(e => e.Actor).SingleAsync());
        Assert.Equal("automation", actor);

        await admin.PatchAsync("/admin/api/clients/automation", Json.Body(new { enabled = false }));
        Assert.Equal(HttpStatusCode.Forbidden, (await robot.GetAsync("/admin/api/clients")).StatusCode);

        var ghost = host.Api(host.Token("ghost", scope: "bridge.admin", clientId: "ghost"));
        Assert.Equal(HttpStatusCode.Forbidden, (await ghost.GetAsync("/admin/api/clients")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_admin_api()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Api(null).GetAsync("/admin/openapi.json")).StatusCode);
        var user = await host.CreateAccountAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Api(host.Token(user)).GetAsync("/admin/openapi.json")).StatusCode);
        var (admin, _) = await host.AdminApiAsync();
        var response = await admin.GetAsync("/admin/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await Json.ReadAsync(response);
        Assert.StartsWith("3.1", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var expected in new[]
                 {
                     "/admin/api/clients", "/admin/api/clients/{clientId}", "/admin/api/clients/{clientId}/rotate-secret",
                     "/admin/api/accounts", "/admin/api/accounts/{accountId}/wallets", "/admin/api/accounts/{accountId}/roles",
                     "/admin/api/accounts/{accountId}/sessions", "/admin/api/sessions/{sessionId}", "/admin/api/keys", "/admin/api/keys/rotate",
                     "/admin/api/keys/{kid}/retire", "/admin/api/audit", "/admin/api/validate/redirect-uri",
                 })
            Assert.Contains(expected, paths);
        Assert.DoesNotContain(paths, p => !p.StartsWith("/admin/api", StringComparison.Ordinal));
        Assert.True(doc.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
        var create = doc.GetProperty("paths").GetProperty("/admin/api/clients").GetProperty("post");
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("409", out _));

        // A full update answers with the view and, when it issued one, the secret; an edit that raced another is a 409.
        var client = doc.GetProperty("paths").GetProperty("/admin/api/clients/{clientId}");
        var replaced = client.GetProperty("put").GetProperty("responses").GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var schema = doc.GetProperty("components").GetProperty("schemas").GetProperty(replaced["#/components/schemas/".Length..]);
        Assert.True(schema.GetProperty("properties").TryGetProperty("clientSecret", out _));
        Assert.True(schema.GetProperty("properties").TryGetProperty("redirectUris", out _));
        foreach (var method in new[] { "put", "patch", "delete" })
            Assert.True(client.GetProperty(method).GetProperty("responses").TryGetProperty("409", out _), method);
    }

    [Fact]
    public async Task A_bootstrap_wallet_gets_the_admin_role_on_sign_in_and_its_token_is_accepted()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var result = await accounts.SignInAsync(new WalletSignIn(Infrastructure.BridgeFactory.DefaultWallet, "MAINNET"), Configuration.ProvisioningMode.AllowList);
        Assert.Equal(WalletSignInOutcome.Ok, result.Outcome);
        var response = await host.Api(host.Token(result.Account!.Id)).GetAsync("/admin/api/accounts?role=bridge-admin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = (await Json.ReadAsync(response)).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Contains(result.Account.Id, ids);
    }

    [Fact]
    public async Task Every_time_a_bootstrap_wallet_gets_the_admin_role_back_at_sign_in_a_role_grant_is_audited()
    {
        var wallet = Infrastructure.BridgeFactory.DefaultWallet;
        var first = await SignInAsync(wallet);
        var id = first.Account!.Id;
        Assert.Equal(1, await BootstrapGrantsAsync(id));

        var (admin, _) = await host.AdminApiAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/admin/api/accounts/{id}/roles/{AccountService.AdminRole}")).StatusCode);
        var again = await SignInAsync(wallet);
        Assert.Contains(again.Account!.Roles, r => r.Role == AccountService.AdminRole);
        Assert.Equal(2, await BootstrapGrantsAsync(id));
        var last = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.AccountId == id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(["account.role_revoked", "account.role_granted"], last.Where(e => e.Type.StartsWith("account.role", StringComparison.Ordinal)).TakeLast(2).Select(e => e.Type));
        Assert.Equal(AccountService.SystemActor, last.Last(e => e.Type == "account.role_granted").Actor);
        Assert.Contains("bootstrap", last.Last(e => e.Type == "account.role_granted").Details);

        // Signing in while the role is held grants nothing, so records nothing.
        await SignInAsync(wallet);
        Assert.Equal(2, await BootstrapGrantsAsync(id));
    }

    private async Task<WalletSignInResult> SignInAsync(string wallet)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().SignInAsync(new WalletSignIn(wallet, "MAINNET"), Configuration.ProvisioningMode.AutoCreate);
        Assert.Equal(WalletSignInOutcome.Ok, result.Outcome);
        return result;
    }

    private Task<int> BootstrapGrantsAsync(string accountId) => host.WithDbAsync(db =>
        db.AuditEvents.CountAsync(e => e.AccountId == accountId && e.Type == "account.role_granted" && e.Actor == AccountService.SystemActor));
}
