using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IdentityBridge.Accounts;
using IdentityBridge.Audit;
using IdentityBridge.Clients;
using IdentityBridge.Operations;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Provider;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// The admin API with the bridge's own token validator and tokens from the bridge's own token endpoint:
/// client_credentials tokens, and user tokens from the authorization code flow (public and pairwise subjects).
/// </summary>
public sealed class IssuedAdminTokenTests(IssuedAdminTokenTests.Host host) : IClassFixture<IssuedAdminTokenTests.Host>
{
    public const string Service = "admin-service";
    public const string ServiceSecret = "admin-service-secret";
    public const string Console = "admin-web";
    public const string ConsoleSecret = "admin-web-secret";
    public const string PairwiseConsole = "admin-pairwise";
    public const string PairwiseSecret = "admin-pairwise-secret";
    private const string ListPath = "/admin/api/clients";
    /// <summary>Clients whose admin scope the tests take away (the others keep theirs for the other tests).</summary>
    public const string Robot = "admin-robot";
    public const string RobotSecret = "admin-robot-secret";
    public const string Desk = "admin-desk";
    public const string DeskSecret = "admin-desk-secret";
    private static readonly string AdminApi = IdentityBridge.Provider.AdminApiResource.Uri(Infrastructure.BridgeFactory.Issuer);

    public class Host : ProviderHost
    {
        public Host() => MoreServices = services => services.AddSingleton<IBridgeInitializer, AdminClientSeeder>();
    }

    private sealed class AdminClientSeeder : IBridgeInitializer
    {
        public int Order => 51;

        public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            db.Clients.Add(Confidential(Service, ServiceSecret, "client_credentials", "bridge.admin wallet"));
            db.Clients.Add(Confidential(Robot, RobotSecret, "client_credentials", "bridge.admin"));
            db.Clients.Add(Confidential(Desk, DeskSecret, "authorization_code", "openid profile bridge.admin"));
            db.Clients.Add(Confidential(Console, ConsoleSecret, "authorization_code", "openid profile bridge.admin"));
            var pairwise = Confidential(PairwiseConsole, PairwiseSecret, "authorization_code", "openid profile bridge.admin");
            pairwise.SubjectType = "pairwise";
            db.Clients.Add(pairwise);
            await db.SaveChangesAsync(ct);
        }

        private static Client Confidential(string id, string secret, string grants, string scopes)
        {
            var client = new Client
            {
                ClientId = id,
                ClientName = "App " + id,
                ClientType = ClientTypes.Confidential,
                RedirectUris = JsonSerializer.Serialize(new[] { TestClients.Redirect }),
                PostLogoutRedirectUris = "[]",
                AllowedScopes = scopes,
                AllowedGrantTypes = grants,
            };
            client.Secrets.Add(new ClientSecret { ClientId = id, Hash = ClientSecretHasher.Hash(secret), CreatedAt = DateTimeOffset.UnixEpoch });
            return client;
        }
    }

    [Fact]
    public async Task A_client_credentials_token_with_the_admin_scope_lists_clients()
    {
        var token = await ClientTokenAsync("bridge.admin");
        var response = await CallAsync(token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_client_credentials_token_of_the_same_client_without_the_admin_scope_gets_403()
    {
        var token = await ClientTokenAsync("wallet");
        var response = await CallAsync(token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("insufficient_scope", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_token_of_an_admin_account_lists_clients_and_acts_as_that_account()
    {
        var (wallet, accountId) = await AccountAsync(AccountService.AdminRole);
        var token = await UserTokenAsync(Console, ConsoleSecret, wallet);
        Assert.Equal(accountId, OidcDriver.Jwt(token).Subject);

        var response = await CallAsync(token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_user_token_of_an_account_without_the_admin_role_gets_403()
    {
        var (wallet, _) = await AccountAsync("staff");
        var token = await UserTokenAsync(Console, ConsoleSecret, wallet);
        var response = await CallAsync(token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_user_token_from_a_pairwise_client_is_checked_against_the_account_behind_the_pairwise_subject()
    {
        var (wallet, accountId) = await AccountAsync(AccountService.AdminRole);
        var token = await UserTokenAsync(PairwiseConsole, PairwiseSecret, wallet);
        var jwt = OidcDriver.Jwt(token);
        Assert.NotEqual(accountId, jwt.Subject);
        Assert.True(jwt.TryGetPayloadValue<string>(TokenIssuer.ProtectedAccountClaim, out _));

        var response = await CallAsync(token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        // The admin change it makes is recorded under the account, not under its pairwise subject.
        var create = new HttpRequestMessage(HttpMethod.Post, "/admin/api/accounts")
        {
            Content = Json.Body(new { displayName = "Made by a pairwise admin" }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await host.CreateApiClient().SendAsync(create);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await host.Services.GetRequiredService<AuditLog>().FlushAsync();
        var actors = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == AuditTypes.AccountCreated).Select(e => e.Actor).ToListAsync());
        Assert.Contains(accountId, actors);
        Assert.DoesNotContain(jwt.Subject, actors);
    }

    [Fact]
    public async Task A_pairwise_user_token_of_an_account_without_the_admin_role_gets_403()
    {
        var (wallet, _) = await AccountAsync("staff");
        var token = await UserTokenAsync(PairwiseConsole, PairwiseSecret, wallet);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(token)).StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_a_foreign_key_and_issuer_gets_401()
    {
        var (_, accountId) = await AccountAsync(AccountService.AdminRole);
        var foreign = new TokenMinter().Mint(accountId, "openid bridge.admin", host.Clock.GetUtcNow(), clientId: Console, issuer: "https://evil.example");
        var response = await CallAsync(foreign);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_by_a_foreign_key_naming_this_issuer_gets_401()
    {
        var (_, accountId) = await AccountAsync(AccountService.AdminRole);
        var foreign = new TokenMinter().Mint(accountId, "openid bridge.admin", host.Clock.GetUtcNow(), clientId: Console);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(foreign)).StatusCode);
    }

    [Fact]
    public async Task Admin_tokens_are_issued_for_the_admin_api_alone_and_other_tokens_keep_their_audience()
    {
        var client = OidcDriver.Jwt(await ClientTokenAsync("bridge.admin"));
        Assert.Equal([AdminApi], client.Audiences);
        Assert.Equal([Service], OidcDriver.Jwt(await ClientTokenAsync("wallet")).Audiences);

        var (wallet, _) = await AccountAsync(AccountService.AdminRole);
        var driver = new OidcDriver(host, wallet);
        var json = await driver.LoginAsync(driver.Params(Console, "openid profile bridge.admin"), Console, ConsoleSecret);
        Assert.Equal([AdminApi], OidcDriver.Jwt(json.GetProperty("access_token").GetString()!).Audiences);
        Assert.Equal([Console], OidcDriver.Jwt(json.GetProperty("id_token").GetString()!).Audiences);

        // RFC 8707: the admin API may be named as the resource; another resource cannot carry the admin scope.
        var named = await new OidcDriver(host).TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["scope"] = "bridge.admin", ["resource"] = AdminApi,
        }, Service, ServiceSecret);
        var namedToken = (await OidcDriver.Json(named, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
        Assert.Equal([AdminApi], OidcDriver.Jwt(namedToken).Audiences);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(namedToken)).StatusCode);
        var elsewhere = await new OidcDriver(host).TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["scope"] = "bridge.admin", ["resource"] = TestClients.Resource,
        }, Service, ServiceSecret);
        await OidcDriver.AssertError(elsewhere, HttpStatusCode.BadRequest, "invalid_target");
    }

    [Theory]
    [InlineData(TestClients.Resource)]
    [InlineData(Service)]
    public async Task A_token_of_this_bridge_with_the_admin_scope_for_another_audience_gets_401(string audience)
    {
        // Signed with the bridge's own key, as a token for another API would be: only its audience is wrong.
        var now = host.Clock.GetUtcNow();
        var token = host.Services.GetRequiredService<JwtSigner>().Sign(new Dictionary<string, object>
        {
            ["iss"] = Infrastructure.BridgeFactory.Issuer,
            ["aud"] = audience,
            ["sub"] = Service,
            ["client_id"] = Service,
            ["scope"] = "bridge.admin",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
        }, "RS256", "at+jwt");
        var response = await CallAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_token_loses_admin_access_at_once_when_the_client_is_no_longer_allowed_the_admin_scope()
    {
        var robot = await ClientTokenAsync("bridge.admin", Robot, RobotSecret);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(robot)).StatusCode);

        var admin = await ClientTokenAsync("bridge.admin");
        var change = new HttpRequestMessage(HttpMethod.Put, $"/admin/api/clients/{Robot}")
        {
            Content = Json.Body(new { allowedGrantTypes = new[] { "client_credentials" }, allowedScopes = new[] { "profile" } }),
        };
        change.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var changed = await host.CreateApiClient().SendAsync(change);
        Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(robot)).StatusCode);
        var create = new HttpRequestMessage(HttpMethod.Post, "/admin/api/accounts") { Content = Json.Body(new { displayName = "Made after the scope was removed", roles = new[] { "bridge-admin" } }) };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", robot);
        Assert.Equal(HttpStatusCode.Forbidden, (await host.CreateApiClient().SendAsync(create)).StatusCode);
        Assert.False(await host.WithDbAsync(db => db.Accounts.AnyAsync(a => a.DisplayName == "Made after the scope was removed")));
    }

    [Fact]
    public async Task A_user_token_loses_admin_access_when_its_client_is_no_longer_allowed_the_admin_scope()
    {
        var (wallet, _) = await AccountAsync(AccountService.AdminRole);
        var token = await UserTokenAsync(Desk, DeskSecret, wallet);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(token)).StatusCode);

        await host.UpdateClientAsync(Desk, c => c.AllowedScopes = "openid profile");
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(token)).StatusCode);

        // Given back, the same token works again: nothing else about it changed.
        await host.UpdateClientAsync(Desk, c => c.AllowedScopes = "openid profile bridge.admin");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(token)).StatusCode);
    }

    private async Task<HttpResponseMessage> CallAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, ListPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.CreateApiClient().SendAsync(request);
    }

    private async Task<string> ClientTokenAsync(string scope, string clientId = Service, string secret = ServiceSecret)
    {
        var driver = new OidcDriver(host);
        var response = await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }, clientId, secret);
        var json = await OidcDriver.Json(response, HttpStatusCode.OK);
        Assert.Equal(scope, json.GetProperty("scope").GetString());
        return json.GetProperty("access_token").GetString()!;
    }

    private async Task<string> UserTokenAsync(string clientId, string secret, string wallet)
    {
        var driver = new OidcDriver(host, wallet);
        var json = await driver.LoginAsync(driver.Params(clientId, "openid profile bridge.admin"), clientId, secret);
        Assert.Contains("bridge.admin", json.GetProperty("scope").GetString()!.Split(' '));
        return json.GetProperty("access_token").GetString()!;
    }

    /// <summary>An account with a wallet and a role, created before its first login.</summary>
    private async Task<(string Wallet, string AccountId)> AccountAsync(string role)
    {
        var wallet = TestWallets.New();
        var account = AccountService.NewAccount(host.Clock.GetUtcNow(), "Test " + Guid.NewGuid().ToString("N")[..6]);
        account.Wallets.Add(new Wallet { AccountId = account.Id, Address = wallet, LinkedAt = host.Clock.GetUtcNow() });
        account.Roles.Add(new AccountRole { AccountId = account.Id, Role = role });
        await host.WithDbAsync(async db =>
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
        });
        return (wallet, account.Id);
    }
}
