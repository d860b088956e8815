using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityBridge.EndToEnd.Infrastructure;

namespace IdentityBridge.EndToEnd.SignIn;

/// <summary>
/// Real processes on loopback for the payload sign-in: the standalone Xumm simulator (webhook retries after
/// 1 s) and the bridge (SQLite, Development, the simulator as its platform API), with a <see cref="WebhookProxy"/>
/// as the application's webhook URL, and a <see cref="NotificationReceiver"/> as a CIBA ping client's notification
/// endpoint. Three clients are declared: a CIBA poll client, a CIBA ping client and an xApp backend.
/// </summary>
public sealed class SignInProcesses : IAsyncLifetime
{
    public const string ApiKey = "5a7c9e1b-3d5f-4a7b-9c1d-3e5f7a9b1c3d";
    public const string ApiSecret = "c1e3a5b7-d9f1-4b3d-8e5f-7a9b1c3d5e7f";
    public const string CibaClient = "ciba-backend";
    public const string CibaPingClient = "ciba-ping-backend";
    public const string XAppClient = "xapp-backend";
    public const string ClientSecret = "e2e-client-secret";

    private readonly int _simulatorPort = ProcessHost.FreePort();
    private readonly int _bridgePort = ProcessHost.FreePort();
    private readonly int _proxyPort = ProcessHost.FreePort();
    private readonly int _notificationPort = ProcessHost.FreePort();

    public ProcessHost Simulator { get; private set; } = null!;
    public ProcessHost Bridge { get; private set; } = null!;
    public WebhookProxy Proxy { get; private set; } = null!;
    public NotificationReceiver Notifications { get; private set; } = null!;
    public string BridgeUrl => $"http://127.0.0.1:{_bridgePort}";
    public string SimulatorUrl => $"http://127.0.0.1:{_simulatorPort}";
    public HttpClient Control { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        Proxy = new WebhookProxy(_proxyPort, BridgeUrl + "/xumm/webhook");
        Notifications = new NotificationReceiver(_notificationPort);
        Simulator = await ProcessHost.StartAsync("XummSimulator", new Dictionary<string, string?>
        {
            ["Simulator__Apps__0__ApiKey"] = ApiKey,
            ["Simulator__Apps__0__ApiSecret"] = ApiSecret,
            ["Simulator__Apps__0__Name"] = "IdentityBridge (end-to-end)",
            ["Simulator__Apps__0__RedirectUris__0"] = BridgeUrl + "/signin-xumm",
            ["Simulator__Apps__0__WebhookUrl"] = Proxy.Url,
            ["Simulator__WebhookRetryDelays__0"] = "00:00:01",
            ["Simulator__WebhookRetryDelays__1"] = "00:00:01",
            ["Simulator__WebhookRetryDelays__2"] = "00:00:01",
            ["Simulator__WebhookTimeout"] = "00:00:05",
            ["Simulator__Network"] = "MAINNET",
        }, "/.well-known/openid-configuration", _simulatorPort);

        var env = Databases.NewDatabase("Sqlite");
        env["Bridge__Issuer"] = BridgeUrl;
        env["Xumm__Authority"] = SimulatorUrl;
        env["Xumm__ApiBaseUrl"] = SimulatorUrl + "/api/v1/platform";
        env["Xumm__ApiKey"] = ApiKey;
        env["Xumm__ApiSecret"] = ApiSecret;
        env["Xumm__Simulator__Enabled"] = "false";
        env["Xumm__Payload__Ciba__IntervalSeconds"] = "1";
        env["Xumm__Payload__Ciba__MinExpirySeconds"] = "30";      // the shortest the bridge allows, for the expiry test
        // Every simulated user comes from the loopback address: its sign-in start budget is one real browser's.
        env["Bridge__RateLimits__SignInsPerMinute"] = "1000";
        // Appended after the development clients of appsettings.Development.json.
        Client(env, 10, CibaClient, "urn:openid:params:grant-type:ciba");
        Client(env, 11, XAppClient, "urn:ietf:params:oauth:grant-type:token-exchange");
        Client(env, 12, CibaPingClient, "urn:openid:params:grant-type:ciba");
        env["Bridge__Clients__12__BackchannelTokenDeliveryMode"] = "ping";
        env["Bridge__Clients__12__BackchannelClientNotificationEndpoint"] = Notifications.Url;
        Bridge = await ProcessHost.StartAsync("IdentityBridge", env, "/readyz", _bridgePort);
    }

    private static void Client(Dictionary<string, string?> env, int index, string id, string grant)
    {
        var key = $"Bridge__Clients__{index}__";
        env[key + "ClientId"] = id;
        env[key + "ClientName"] = "End-to-end " + id;
        env[key + "ClientSecret"] = ClientSecret;
        env[key + "AllowedScopes__0"] = "openid";
        env[key + "AllowedScopes__1"] = "profile";
        env[key + "AllowedScopes__2"] = "wallet";
        env[key + "AllowedGrantTypes__0"] = grant;
    }

    public async Task DisposeAsync()
    {
        if (Bridge is not null) await Bridge.DisposeAsync();
        if (Simulator is not null) await Simulator.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Notifications is not null) await Notifications.DisposeAsync();
        Control.Dispose();
    }

    /// <summary>A cookie-keeping client for the bridge that does not follow redirects.</summary>
    public HttpClient NewBrowser() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(BridgeUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The simulator's view of the payload created for sign-in request <paramref name="requestId"/>.</summary>
    public async Task<JsonElement> PayloadOfAsync(string requestId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var list = await Control.GetFromJsonAsync<JsonElement>(SimulatorUrl + "/_sim/payloads");
            foreach (var payload in list.EnumerateArray())
                if (payload.GetProperty("customIdentifier").GetString() == requestId) return payload;
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"No payload for request {requestId}.");
            await Task.Delay(100);
        }
    }

    public async Task ApproveAsync(string payloadUuid, string wallet)
    {
        using var response = await Control.PostAsJsonAsync(SimulatorUrl + $"/_sim/payloads/{payloadUuid}/approve", new { account = wallet, network = "MAINNET" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Polls the bridge's status endpoint (as the page's script does) until the request is <paramref name="status"/>.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(HttpClient browser, string requestId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var state = await browser.GetFromJsonAsync<JsonElement>("/signin/status/" + requestId);
            if (state.GetProperty("status").GetString() == status) return state;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Request {requestId} is {state.GetProperty("status")}, not {status}.");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Starts a sign-in as a person does: opens the start link and presses its button (a link alone creates no
    /// payload); returns the page it redirected to and the request id.
    /// </summary>
    public static async Task<(string Path, string Id)> StartAsync(HttpClient browser, string returnUrl = "/account", bool forceQr = false)
    {
        using var opened = await browser.GetAsync("/signin/qr?returnUrl=" + Uri.EscapeDataString(returnUrl) + (forceQr ? "&qr=1" : ""));
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var form = Regex.Match(await opened.Content.ReadAsStringAsync(), "<form\\b[^>]*\\baction=\"(?<action>[^\"]*)\"[^>]*\\bid=\"signin-start\"[^>]*>(?<body>.*?)</form>", RegexOptions.Singleline);
        Assert.True(form.Success, "no start form");
        var fields = Regex.Matches(form.Groups["body"].Value, "<input\\b[^>]*\\bname=\"(?<name>[^\"]+)\"[^>]*\\bvalue=\"(?<value>[^\"]*)\"")
            .ToDictionary(m => m.Groups["name"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        using var response = await browser.PostAsync(WebUtility.HtmlDecode(form.Groups["action"].Value), new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var path = response.Headers.Location!.OriginalString;
        return (path, path.Split('/')[^1]);
    }

    /// <summary>A full QR sign-in of <paramref name="wallet"/> in <paramref name="browser"/>.</summary>
    public async Task SignInByQrAsync(HttpClient browser, string wallet)
    {
        var (_, id) = await StartAsync(browser, forceQr: true);
        await ApproveAsync((await PayloadOfAsync(id)).GetProperty("uuid").GetString()!, wallet);
        var state = await WaitForStatusAsync(browser, id, "signed");
        using var done = await browser.GetAsync(state.GetProperty("next").GetString());
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/account", done.Headers.Location!.OriginalString);
    }

    /// <summary>Fails when the bridge printed the API secret in any form.</summary>
    public void AssertSecretNotPrinted()
    {
        var forms = new[] { ApiSecret, ApiSecret.Remove(ApiSecret.IndexOf('-', StringComparison.Ordinal), 1), ApiSecret.Replace("-", "", StringComparison.Ordinal) };
        Assert.DoesNotContain(Bridge.Output, line => forms.Any(f => line.Contains(f, StringComparison.OrdinalIgnoreCase)));
    }
}
