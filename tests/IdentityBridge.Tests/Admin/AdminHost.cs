using System.Net.Http.Headers;
using IdentityBridge.Accounts;
using IdentityBridge.Admin;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// The bridge with test admin tokens (<see cref="TokenMinter"/>) and a test-only <c>/test/session</c>
/// endpoint that starts a bridge session for an account, standing in for the login pages.
/// </summary>
public class AdminHost : BridgeFactory
{
    public const string SessionPath = "/test/session";

    /// <summary>The client that the test admin tokens name: registered, and allowed the admin scope.</summary>
    public const string AdminClient = "admin-tool";

    public AdminHost()
    {
        // Index 2: the Development settings declare clients 0 and 1.
        Settings["Bridge:Clients:2:ClientId"] = AdminClient;
        Settings["Bridge:Clients:2:ClientSecret"] = "admin-tool-secret";
        Settings["Bridge:Clients:2:RedirectUris:0"] = "https://admin-tool.example/callback";
        Settings["Bridge:Clients:2:AllowedScopes:0"] = "openid";
        Settings["Bridge:Clients:2:AllowedScopes:1"] = "bridge.admin";
        ConfigureTestServices = services =>
        {
            services.AddSingleton(Minter);
            services.RemoveAll<AdminAccessTokens>();
            services.AddSingleton<AdminAccessTokens, TestAdminTokens>();
            services.AddTransient<IStartupFilter, SessionStartupFilter>();
        };
    }

    public TokenMinter Minter { get; } = new();

    /// <summary>Creates an account (with an optional wallet and roles) straight in the database.</summary>
    public async Task<string> CreateAccountAsync(string? wallet = null, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
        var account = AccountService.NewAccount(Clock.GetUtcNow(), "Test " + Guid.NewGuid().ToString("N")[..6]);
        if (wallet is not null) account.Wallets.Add(new Wallet { AccountId = account.Id, Address = wallet, LinkedAt = Clock.GetUtcNow() });
        account.Roles.AddRange(roles.Select(r => new AccountRole { AccountId = account.Id, Role = r }));
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }

    public Task<string> CreateAdminAsync(string? wallet = null) => CreateAccountAsync(wallet, AccountService.AdminRole);

    public string Token(string subject, string scope = "openid bridge.admin", string? clientId = AdminClient) =>
        Minter.Mint(subject, scope, Clock.GetUtcNow(), clientId);

    /// <summary>An API client carrying <paramref name="token"/>.</summary>
    public HttpClient Api(string? token)
    {
        var client = CreateApiClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An API client of a fresh admin account.</summary>
    public async Task<(HttpClient Client, string AccountId)> AdminApiAsync()
    {
        var id = await CreateAdminAsync();
        return (Api(Token(id)), id);
    }

    public async Task<T> WithDbAsync<T>(Func<BridgeDbContext, Task<T>> action)
    {
        // Audit events are stored by a background writer: flush so the query sees them.
        await Services.GetRequiredService<IdentityBridge.Audit.AuditLog>().FlushAsync();
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
    }

    /// <summary>A cookie-keeping browser signed in as <paramref name="accountId"/> (a live bridge session).</summary>
    public async Task<HttpClient> BrowserAsync(string accountId, string wallet = DefaultWallet)
    {
        var browser = CreateBrowser();
        var response = await browser.GetAsync($"{SessionPath}?account={Uri.EscapeDataString(accountId)}&wallet={wallet}");
        response.EnsureSuccessStatusCode();
        return browser;
    }

    private sealed class SessionStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Not app.Map: that would move the path base, and the cookie path with it.
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path != SessionPath)
                {
                    await nextMiddleware(context);
                    return;
                }
                var sessions = context.RequestServices.GetRequiredService<SessionService>();
                var session = await sessions.SignInAsync(context, new SessionSignIn(context.Request.Query["account"]!, context.Request.Query["wallet"]!, "MAINNET", "xumm-oidc"));
                await context.Response.WriteAsync(session.Id);
            });
            next(app);
        };
    }
}
