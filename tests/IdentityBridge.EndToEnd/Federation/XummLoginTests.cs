using System.Net;
using IdentityBridge.EndToEnd.Infrastructure;

namespace IdentityBridge.EndToEnd.Federation;

/// <summary>
/// One login through real processes on loopback: the standalone Xumm simulator and a Production bridge (on
/// SQLite and on PostgreSQL), driven as a chain of redirects with a cookie jar, ending in a bridge session.
/// Neither process may print the API secret.
/// </summary>
public sealed class XummLoginTests
{
    private const string ApiKey = "7b1e2c3d-4f5a-4b6c-9d7e-8f9a0b1c2d3e";
    private const string ApiSecret = "e3d2c1b0-a9f8-4e7d-8c6b-5a4f3e2d1c0b";
    private const string Wallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

    [Theory]
    [MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task A_login_through_the_standalone_simulator_ends_in_a_bridge_session(string provider)
    {
        var simulatorPort = ProcessHost.FreePort();
        var bridgePort = ProcessHost.FreePort();
        var bridgeUrl = $"http://127.0.0.1:{bridgePort}";
        var simulatorUrl = $"http://127.0.0.1:{simulatorPort}";

        var simulator = await ProcessHost.StartAsync("XummSimulator", new Dictionary<string, string?>
        {
            ["Simulator__Apps__0__ApiKey"] = ApiKey,
            ["Simulator__Apps__0__ApiSecret"] = ApiSecret,
            ["Simulator__Apps__0__Name"] = "IdentityBridge (end-to-end)",
            ["Simulator__Apps__0__RedirectUris__0"] = bridgeUrl + "/signin-xumm",
            ["Simulator__AutoApprove"] = Wallet,
            ["Simulator__Network"] = "MAINNET",
        }, "/.well-known/openid-configuration", simulatorPort);

        var env = Databases.NewDatabase(provider);
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Bridge__Issuer"] = bridgeUrl;
        env["Xumm__Authority"] = simulatorUrl;
        env["Xumm__ApiBaseUrl"] = simulatorUrl + "/api/v1/platform";
        env["Xumm__ApiKey"] = ApiKey;
        env["Xumm__ApiSecret"] = ApiSecret;
        env["Xumm__Simulator__Enabled"] = "false";
        ProcessHost? bridge = null;
        using var browser = new LoopbackBrowser();
        try
        {
            bridge = await ProcessHost.StartAsync("IdentityBridge", env, "/readyz", bridgePort);
            await LogInAsync(browser, bridgeUrl, bridgePort, simulatorPort);
        }
        finally
        {
            // Stopped before reading their output: disposal waits until both output streams are drained.
            if (bridge is not null) await bridge.DisposeAsync();
            await simulator.DisposeAsync();
        }

        var forms = new[] { ApiSecret, ApiSecret.Remove(ApiSecret.IndexOf('-'), 1), ApiSecret.Replace("-", "") };
        foreach (var (name, lines) in new[] { ("bridge", bridge!.Output.ToList()), ("simulator", simulator.Output.ToList()), ("browser", browser.Transcript) })
            Assert.False(lines.Any(l => forms.Any(f => l.Contains(f, StringComparison.OrdinalIgnoreCase))), $"the API secret appears in the {name} output");
        Assert.NotEmpty(bridge.Output);
    }

    private static async Task LogInAsync(LoopbackBrowser browser, string bridgeUrl, int bridgePort, int simulatorPort)
    {
        var hops = await browser.FollowAsync(bridgeUrl + "/login?returnUrl=%2Faccount");

        Assert.Equal(
            [(bridgePort, "/login"), (simulatorPort, "/auth"), (bridgePort, "/signin-xumm"), (bridgePort, "/account")],
            hops.Select(h => (h.Url.Port, h.Url.AbsolutePath)));
        Assert.Equal(HttpStatusCode.OK, hops[^1].Status);
        Assert.Contains(Wallet, hops[^1].Body, StringComparison.Ordinal);
        var session = Assert.Single(browser.CookiesFor(bridgeUrl), c => c.Name == "__bridge_session");
        Assert.True(session.Secure && session.HttpOnly);
        Assert.DoesNotContain(browser.CookiesFor(bridgeUrl + "/signin-xumm"), c => c.Name.StartsWith(".AspNetCore.Correlation", StringComparison.Ordinal));

        // A second visit with the same cookie jar is still signed in.
        var again = await browser.FollowAsync(bridgeUrl + "/account");
        Assert.Equal(HttpStatusCode.OK, Assert.Single(again).Status);
    }
}
