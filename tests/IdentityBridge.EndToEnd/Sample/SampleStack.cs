using IdentityBridge.EndToEnd.Infrastructure;

namespace IdentityBridge.EndToEnd.Sample;

/// <summary>
/// The bridge (in-process Xumm simulator approving every sign-in at once, fresh SQLite database) and the
/// sample enterprise app as real processes on loopback, the app registered as a client with a back-channel
/// logout URI. Shared by the tests of one class.
/// </summary>
public sealed class SampleStack : IAsyncLifetime
{
    public const string Wallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    public const string ClientId = "enterprise-e2e";
    private const string ClientSecret = "enterprise-e2e-secret-6c1d9a4f2b7e3058";

    public ProcessHost Bridge { get; private set; } = null!;
    public ProcessHost App { get; private set; } = null!;

    public Uri BridgeUrl => new(Bridge.BaseUrl + "/");
    public Uri AppUrl => new(App.BaseUrl + "/");

    public async Task InitializeAsync()
    {
        var bridgePort = ProcessHost.FreePort();
        var appPort = ProcessHost.FreePort();
        var issuer = $"http://127.0.0.1:{bridgePort}";
        var app = $"http://127.0.0.1:{appPort}";

        var bridgeEnv = Databases.NewDatabase("Sqlite");
        bridgeEnv["Bridge__Issuer"] = issuer;
        bridgeEnv["Bridge__RateLimits__Enabled"] = "false";
        bridgeEnv["Xumm__Simulator__Enabled"] = "true";
        bridgeEnv["Xumm__Simulator__AutoApprove"] = Wallet;
        bridgeEnv["Bridge__Admin__BootstrapWallets__0"] = Wallet;
        // Index 20: clear of the clients of appsettings.Development.json (configuration arrays merge by index).
        const string client = "Bridge__Clients__20__";
        bridgeEnv[client + "ClientId"] = ClientId;
        bridgeEnv[client + "ClientName"] = "Enterprise sample (end-to-end)";
        bridgeEnv[client + "ClientSecret"] = ClientSecret;
        bridgeEnv[client + "ClientType"] = "confidential";
        bridgeEnv[client + "TokenEndpointAuthMethod"] = "client_secret_basic";
        bridgeEnv[client + "RedirectUris__0"] = $"{app}/signin-bridge";
        bridgeEnv[client + "PostLogoutRedirectUris__0"] = $"{app}/";
        bridgeEnv[client + "BackChannelLogoutUri"] = $"{app}/backchannel-logout";
        string[] scopes = ["openid", "profile", "email", "wallet", "roles", "offline_access"];
        for (var i = 0; i < scopes.Length; i++) bridgeEnv[$"{client}AllowedScopes__{i}"] = scopes[i];
        bridgeEnv[client + "AllowedGrantTypes__0"] = "authorization_code";
        bridgeEnv[client + "AllowedGrantTypes__1"] = "refresh_token";
        Bridge = await ProcessHost.StartAsync("IdentityBridge", bridgeEnv, "/.well-known/openid-configuration", bridgePort);

        App = await ProcessHost.StartAsync("EnterpriseApp", new Dictionary<string, string?>
        {
            ["EnterpriseApp__Authority"] = issuer,
            ["EnterpriseApp__ClientId"] = ClientId,
            ["EnterpriseApp__ClientSecret"] = ClientSecret,
            ["EnterpriseApp__PostLogoutRedirectUri"] = $"{app}/",
        }, "/healthz", appPort);
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (Bridge is not null) await Bridge.DisposeAsync();
    }

    /// <summary>Waits (bounded) for the app to write a log line containing <paramref name="text"/> after <paramref name="skip"/> lines.</summary>
    public async Task<string> WaitForAppLogAsync(string text, int skip, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = App.Output.Skip(skip).FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) return line;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the app did not log '{text}' within {timeout}:\n{string.Join('\n', App.Output.Skip(skip))}");
            await Task.Delay(100);
        }
    }
}
