using System.Net;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Provider.Sessions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection.Extensions;
using XummSimulator;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// The bridge in-process on TestServer, on its own database (SQLite or PostgreSQL per
/// <see cref="TestDatabase"/>), with the Xumm simulator in-process, a manual clock and captured logs.
/// Settings can be added or overridden through <see cref="Settings"/> before the first use.
/// On disposal it checks that the Xumm API secret (in any of its forms) is in no captured log line and
/// no captured response, so every test class using it proves the secret stays on the server.
/// </summary>
public class BridgeFactory : WebApplicationFactory<Program>
{
    public const string Issuer = "http://localhost";
    public const string XummApiKey = "0c7a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    public const string XummApiSecret = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
    /// <summary>The genesis account: a valid r-address used as the default approving wallet.</summary>
    public const string DefaultWallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

    public BridgeFactory()
    {
        ConnectionString = TestDatabase.CreateDatabase();
        Settings = new Dictionary<string, string?>
        {
            ["Bridge:Issuer"] = Issuer,
            ["Bridge:Database:Provider"] = TestDatabase.Provider,
            ["Bridge:Database:ConnectionString"] = ConnectionString,
            ["Bridge:RateLimits:Enabled"] = "false",
            ["Xumm:ApiKey"] = XummApiKey,
            ["Xumm:ApiSecret"] = XummApiSecret,
            ["Xumm:Simulator:Enabled"] = "true",
            ["Xumm:Simulator:AutoApprove"] = DefaultWallet,
            ["Xumm:Simulator:Network"] = "MAINNET",
        };
    }

    public string ConnectionString { get; }
    public Dictionary<string, string?> Settings { get; }
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public LogCapture Logs { get; } = new();
    public ResponseLog Responses { get; } = new();

    /// <summary>Extra service changes for one test class (applied after the bridge's own).</summary>
    public Action<IServiceCollection>? ConfigureTestServices { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            // Calls to Xumm (the in-process simulator) and the simulator's webhooks stay inside this TestServer.
            services.AddHttpClient("xumm").ConfigurePrimaryHttpMessageHandler(sp => ((TestServer)sp.GetRequiredService<IServer>()).CreateHandler());
            services.AddHttpClient(XummSimulatorDefaults.WebhookHttpClientName)
                .ConfigurePrimaryHttpMessageHandler(sp => ((TestServer)sp.GetRequiredService<IServer>()).CreateHandler());
            // Notification retries are made by the test (DeliverPendingNotificationsAsync), on the manual clock; so is the
            // end of expired sessions (SessionExpiry), which would otherwise send logout tokens whenever a test moves the
            // clock past a session's lifetime.
            foreach (var byTest in services.Where(d => d.ServiceType == typeof(IHostedService)
                         && (d.ImplementationType == typeof(ClientNotificationRetryService) || d.ImplementationType == typeof(SessionExpiryService))).ToList())
                services.Remove(byTest);
            ConfigureTestServices?.Invoke(services);
        });
    }

    /// <summary>
    /// What the notification retry service would do over time: moves the clock to each pending retry's due time and
    /// makes the retries due, until none is pending. Returns the number this node made.
    /// </summary>
    public async Task<int> DeliverPendingNotificationsAsync()
    {
        var outbox = Services.GetRequiredService<ClientNotificationOutbox>();
        var retries = Services.GetRequiredService<ClientNotificationRetries>();
        var made = 0;
        for (var round = 0; round < 100 && await outbox.NextDueAsync(CancellationToken.None) is { } due; round++)
        {
            if (due > Clock.GetUtcNow()) Clock.Advance(due - Clock.GetUtcNow());
            made += await retries.DeliverDueAsync(CancellationToken.None);
        }
        return made;
    }

    private bool _leakChecked;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_leakChecked) return;
        _leakChecked = true;
        TestDatabase.DropDatabase(ConnectionString);
        SecretLeakCheck.AssertNoLeak(Settings.GetValueOrDefault("Xumm:ApiSecret"), Logs.Lines, Responses.Responses);
    }

    /// <summary>A client that keeps cookies and does not follow redirects, recording every response.</summary>
    public HttpClient CreateBrowser()
    {
        var cookies = new CookieContainerHandler(new CookieContainer());
        return CreateDefaultClient(new Uri(Issuer), new ResponseCapture(Responses), cookies);
    }

    /// <summary>A client that neither keeps cookies nor follows redirects (API callers), recording every response.</summary>
    public HttpClient CreateApiClient() => CreateDefaultClient(new Uri(Issuer), new ResponseCapture(Responses));
}
