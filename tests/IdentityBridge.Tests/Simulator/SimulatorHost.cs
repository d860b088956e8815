using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XummSimulator;

namespace IdentityBridge.Tests.Simulator;

/// <summary>A minimal ASP.NET Core host on TestServer with the simulator mapped at <see cref="Prefix"/>.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    public const string Prefix = "/xumm-sim";
    public const string Issuer = "http://localhost/xumm-sim";
    public const string ApiKey = "aaaaaaaa-bbbb-4ccc-8ddd-1234567890ab";
    public const string ApiSecret = "cbbbbbbb-aaaa-4ccc-8ddd-1234567890ab";
    public const string OtherApiKey = "11111111-2222-4333-8444-555555555555";
    public const string OtherApiSecret = "66666666-7777-4888-9999-aaaaaaaaaaaa";
    public const string RedirectUri = "https://rp.example/callback";
    public const string WebhookUrl = "https://hooks.example/xumm";

    /// <summary>The genesis account: a well-known valid r-address.</summary>
    public const string Wallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

    /// <summary>The all-zero account id: another valid r-address.</summary>
    public const string OtherWallet = "rrrrrrrrrrrrrrrrrrrrrhoLvTp";

    private readonly WebApplication _app;

    private readonly RequestCounter _requests;
    private bool _stopped;

    private SimulatorHost(WebApplication app, ManualTimeProvider clock, WebhookRecorder webhooks, RequestCounter requests)
    {
        _app = app;
        _requests = requests;
        Clock = clock;
        Webhooks = webhooks;
        Server = app.GetTestServer();
        Client = Server.CreateClient();
        State = app.Services.GetRequiredService<XummSimulatorState>();
    }

    public ManualTimeProvider Clock { get; }

    public WebhookRecorder Webhooks { get; }

    public TestServer Server { get; }

    public HttpClient Client { get; }

    public XummSimulatorState State { get; }

    /// <summary>Requests the simulator has begun and not yet finished (a websocket conversation is one).</summary>
    public int RequestsInFlight => Volatile.Read(ref _requests.InFlight);

    /// <summary>Waits up to <paramref name="timeout"/> for every request to finish; true when they did.</summary>
    public async Task<bool> WaitForNoRequestsAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (RequestsInFlight > 0)
        {
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Stops the host (its ApplicationStopping fires) without disposing it.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    public static async Task<SimulatorHost> StartAsync(Action<XummSimulatorOptions>? configure = null)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var webhooks = new WebhookRecorder();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddXummSimulator(options =>
        {
            var app = new XummSimulatorApp { ApiKey = ApiKey, ApiSecret = ApiSecret, Name = "Test App", WebhookUrl = WebhookUrl };
            app.RedirectUris.Add(RedirectUri);
            options.Apps.Add(app);
            var other = new XummSimulatorApp { ApiKey = OtherApiKey, ApiSecret = OtherApiSecret, Name = "Other App" };
            other.RedirectUris.Add("https://other.example/cb");
            options.Apps.Add(other);
            configure?.Invoke(options);
        });
        builder.Services.AddHttpClient(XummSimulatorDefaults.WebhookHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => webhooks);

        var app = builder.Build();
        var requests = new RequestCounter();
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref requests.InFlight);
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref requests.InFlight);
            }
        });
        app.MapXummSimulator(Prefix);
        await app.StartAsync();
        return new SimulatorHost(app, clock, webhooks, requests);
    }

    /// <summary>GET /auth; expects a redirect and returns its query parameters.</summary>
    public async Task<Dictionary<string, string>> AuthorizeAsync(string query)
    {
        using var response = await Client.GetAsync($"{Prefix}/auth?{query}");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return RedirectParameters(response);
    }

    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(RedirectUri, location, StringComparison.Ordinal);
        var query = location.Contains('?', StringComparison.Ordinal) ? location[location.IndexOf('?', StringComparison.Ordinal)..] : "";
        return QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public static string AuthorizeQuery(string scope = "openid", string? nonce = "n-1", string? challenge = null, string? extra = null, string responseType = "code") =>
        $"client_id={ApiKey}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&response_type={Uri.EscapeDataString(responseType)}&scope={Uri.EscapeDataString(scope)}&state=st-1"
        + (nonce is null ? "" : $"&nonce={nonce}")
        + (challenge is null ? "" : $"&code_challenge={challenge}&code_challenge_method=S256")
        + (extra is null ? "" : "&" + extra);

    /// <summary>Signs in with auto-approve as <paramref name="wallet"/> and returns the code.</summary>
    public async Task<string> CodeAsync(string wallet = Wallet, string scope = "openid", string? challenge = null, string? network = null)
    {
        State.SetAutoApprove(wallet, network, once: true);
        var parameters = await AuthorizeAsync(AuthorizeQuery(scope, challenge: challenge));
        return parameters["code"];
    }

    public async Task<HttpResponseMessage> TokenAsync(
        string code, bool basic = false, string clientId = ApiKey, string? secret = ApiSecret, string? verifier = null, string redirectUri = RedirectUri)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Prefix}/token");
        if (basic)
        {
            var raw = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret ?? "")}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(raw)));
        }
        else
        {
            form["client_id"] = clientId;
            if (secret is not null)
            {
                form["client_secret"] = secret;
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        return await Client.SendAsync(request);
    }

    /// <summary>A full sign-in: returns the token response JSON.</summary>
    public async Task<JsonObject> TokensAsync(string wallet = Wallet, string scope = "openid", string? network = null)
    {
        var code = await CodeAsync(wallet, scope, network: network);
        using var response = await TokenAsync(code);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<HttpResponseMessage> PlatformAsync(HttpMethod method, string path, object? body = null, string apiKey = ApiKey, string apiSecret = ApiSecret)
    {
        using var request = new HttpRequestMessage(method, $"{Prefix}/api/v1/platform{path}");
        request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("x-api-secret", apiSecret);
        if (body is not null)
        {
            // Property names exactly as written (TransactionType stays TransactionType).
            request.Content = JsonContent.Create(body, options: new System.Text.Json.JsonSerializerOptions());
        }

        return await Client.SendAsync(request);
    }

    public async Task<JsonObject> PlatformJsonAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await PlatformAsync(method, path, body);
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Creates a SignIn payload through the platform API and returns its uuid.</summary>
    public async Task<string> CreatePayloadAsync(object? extra = null)
    {
        var created = await PlatformJsonAsync(HttpMethod.Post, "/payload", extra ?? new { txjson = new { TransactionType = "SignIn" } });
        return created["uuid"]!.GetValue<string>();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class RequestCounter
    {
        public int InFlight;
    }
}
