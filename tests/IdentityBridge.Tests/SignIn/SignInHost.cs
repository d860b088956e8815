using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityBridge.Audit;
using IdentityBridge.Clients;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Operations;
using IdentityBridge.Provider.Ciba;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using XummSimulator;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// The bridge with the in-process simulator for the payload sign-in: the platform client and the payload
/// websockets reach the simulator inside the TestServer, CIBA pings are captured, and a few clients are seeded.
/// </summary>
public class SignInHost : BridgeFactory
{
    public const string WebClient = "web";
    public const string WebSecret = "web-secret";
    public const string RedirectUri = "https://app.example/cb";
    public const string TestnetClient = "testnet-app";
    public const string AllowListClient = "allowlist-app";
    public const string CibaPollClient = "ciba-poll";
    public const string CibaPingClient = "ciba-ping";
    public const string CibaSecret = "ciba-secret";
    public const string NotificationEndpoint = "https://backend.example/ciba/notify";
    public const string XAppClient = "xapp-backend";
    public const string XAppSecret = "xapp-secret";
    public const string DefaultReturnUrl = "/account";

    public SignInHost()
    {
        Settings["Xumm:Simulator:AutoApprove"] = null;
        ConfigureTestServices = services =>
        {
            services.AddHttpClient(nameof(XummPlatformClient))
                .ConfigurePrimaryHttpMessageHandler(sp => ((TestServer)sp.GetRequiredService<IServer>()).CreateHandler());
            services.RemoveAll<IPayloadSocketConnector>();
            services.AddSingleton<IPayloadSocketConnector>(sp => new TestServerSocketConnector((TestServer)sp.GetRequiredService<IServer>(), this));
            services.AddHttpClient(CibaPingNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Pings);
            services.AddSingleton<IBridgeInitializer>(new Seeder());
            MoreServices?.Invoke(services);
        };
    }

    public Action<IServiceCollection>? MoreServices { get; set; }

    /// <summary>Makes every payload websocket fail to connect (the follower then polls).</summary>
    public bool RefuseWebSockets { get; set; }

    public PingCapture Pings { get; } = new();

    public XummSimulatorState Simulator => Services.GetRequiredService<XummSimulatorState>();

    public SignInSignals Signals => Services.GetRequiredService<SignInSignals>();

    public async Task<T> WithDbAsync<T>(Func<BridgeDbContext, Task<T>> read)
    {
        await using var scope = Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
    }

    public async Task WithScopeAsync(Func<IServiceProvider, Task> action)
    {
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider);
    }

    public Task<SignInRequest> RequestAsync(string id) => WithDbAsync(db => db.SignInRequests.AsNoTracking().FirstAsync(r => r.Id == id));

    public async Task<List<AuditEvent>> AuditAsync(string type)
    {
        await Services.GetRequiredService<AuditLog>().FlushAsync();
        return await WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == type).OrderBy(e => e.Id).ToListAsync());
    }

    /// <summary>
    /// The events of <paramref name="type"/> once there is at least one (bounded, 15 s). For events written by work
    /// that ends after what the test can wait for: a sign-in request is resolved (its status stored) before the look
    /// that resolved it audits the outcome, so a flush right after the status changed may come before the event.
    /// </summary>
    public async Task<List<AuditEvent>> WaitForAuditAsync(string type)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var events = await AuditAsync(type);
            if (events.Count > 0 || DateTime.UtcNow > deadline) return events;
            await Task.Delay(20);
        }
    }

    /// <summary>Waits (bounded, no sleeping) until request <paramref name="id"/> is in <paramref name="status"/>.</summary>
    public async Task<SignInRequest> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = Signals.NextChangeAsync(id);
            var request = await RequestAsync(id);
            if (request.Status == status) return request;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"Request {id} is {request.Status}, not {status}.");
            try
            {
                await next.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Checked once more above.
            }
        }
    }

    /// <summary>
    /// Starts a sign-in in <paramref name="browser"/> as a person does: opens the start link and presses its button;
    /// returns the page it redirected to and the request id.
    /// </summary>
    public static async Task<(string Path, string Id)> StartAsync(HttpClient browser, string start)
    {
        using var response = await SendStartAsync(browser, start);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        var match = Regex.Match(location, "^/signin/(qr|push)/([A-Za-z0-9_-]+)$");
        Assert.True(match.Success, $"unexpected redirect {location}");
        return (location, match.Groups[2].Value);
    }

    /// <summary>
    /// Opens <paramref name="start"/> (from <paramref name="peer"/> when given) and, when it answers with the start
    /// form rather than resuming a pending request, sends that form; the last response.
    /// </summary>
    public static async Task<HttpResponseMessage> SendStartAsync(HttpClient browser, string start, string? peer = null)
    {
        var opened = await browser.SendAsync(WithPeer(new HttpRequestMessage(HttpMethod.Get, start), peer));
        if (opened.StatusCode != HttpStatusCode.OK) return opened;
        var form = Form(await opened.Content.ReadAsStringAsync(), StartFormId);
        opened.Dispose();
        return await browser.SendAsync(WithPeer(new HttpRequestMessage(HttpMethod.Post, form.Action) { Content = new FormUrlEncodedContent(form.Fields) }, peer));
    }

    /// <summary>The id of the form a start link answers with.</summary>
    public const string StartFormId = "signin-start";

    /// <summary>The action and the hidden fields (antiforgery token included) of the form with id <paramref name="id"/>.</summary>
    public static (string Action, Dictionary<string, string> Fields) Form(string html, string id)
    {
        var form = Regex.Match(html, "<form\\b(?<tag>[^>]*\\bid=\"" + Regex.Escape(id) + "\"[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline);
        Assert.True(form.Success, $"no form {id} in the page");
        var fields = new Dictionary<string, string>();
        foreach (Match input in Regex.Matches(form.Groups["body"].Value, "<input\\b[^>]*>"))
        {
            var name = Attribute(input.Value, "name");
            if (name is not null && Attribute(input.Value, "type") == "hidden") fields[name] = Attribute(input.Value, "value") ?? "";
        }
        return (Attribute(form.Groups["tag"].Value, "action") ?? "", fields);
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, "\\b" + name + "=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    private static HttpRequestMessage WithPeer(HttpRequestMessage request, string? peer)
    {
        if (peer is not null) request.Headers.Add(PeerAddress.Header, peer);
        return request;
    }

    public static string QrStart(string returnUrl = DefaultReturnUrl, string? loginHint = null, bool forceQr = false) =>
        "/signin/qr?returnUrl=" + Uri.EscapeDataString(returnUrl)
        + (loginHint is null ? "" : "&login_hint=" + Uri.EscapeDataString(loginHint))
        + (forceQr ? "&qr=1" : "");

    /// <summary>A local authorize request of a seeded client, as the login pages receive it.</summary>
    public static string AuthorizeUrl(string clientId, string? loginHint = null, string state = "state-1") =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = RedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["state"] = state,
            ["code_challenge"] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ["code_challenge_method"] = "S256",
            ["login_hint"] = loginHint,
        });

    /// <summary>Signs in <paramref name="wallet"/> by QR in <paramref name="browser"/> (which then remembers it) and returns the request.</summary>
    public async Task<SignInRequest> SignInByQrAsync(HttpClient browser, string wallet, string network = "MAINNET")
    {
        var (_, id) = await StartAsync(browser, QrStart(forceQr: true));
        var request = await RequestAsync(id);
        var signed = WaitForStatusAsync(id, SignInStatuses.Signed);
        Assert.True(Simulator.Approve(request.PayloadUuid!, wallet, network).Succeeded);
        await signed;
        using var done = await browser.GetAsync(SignInPaths.Complete + "/" + id);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(DefaultReturnUrl, done.Headers.Location!.OriginalString);
        return await RequestAsync(id);
    }

    /// <summary>The hidden antiforgery field of a page's first form.</summary>
    public static string Antiforgery(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    private sealed class Seeder : IBridgeInitializer
    {
        public int Order => 50;

        public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            if (await db.Clients.AnyAsync(c => c.ClientId == WebClient, ct)) return;
            db.Clients.AddRange(
                Client(WebClient, WebSecret, "authorization_code refresh_token"),
                Client(TestnetClient, "testnet-secret", "authorization_code", c => c.RequiredNetwork = "TESTNET"),
                Client(AllowListClient, "allowlist-secret", "authorization_code", c => c.Provisioning = "AllowList"),
                Client(CibaPollClient, CibaSecret, "urn:openid:params:grant-type:ciba refresh_token", c => c.BackchannelTokenDeliveryMode = "poll"),
                Client(CibaPingClient, CibaSecret, "urn:openid:params:grant-type:ciba", c =>
                {
                    c.BackchannelTokenDeliveryMode = "ping";
                    c.BackchannelClientNotificationEndpoint = NotificationEndpoint;
                }),
                Client(XAppClient, XAppSecret, "urn:ietf:params:oauth:grant-type:token-exchange"));
            await db.SaveChangesAsync(ct);
        }

        private static Client Client(string id, string secret, string grants, Action<Client>? configure = null)
        {
            var client = new Client
            {
                ClientId = id,
                ClientName = "App " + id,
                ClientType = ClientTypes.Confidential,
                RedirectUris = JsonSerializer.Serialize(new[] { RedirectUri }),
                AllowedScopes = "openid profile wallet roles offline_access",
                AllowedGrantTypes = grants,
                CreatedAt = DateTimeOffset.UnixEpoch,
                UpdatedAt = DateTimeOffset.UnixEpoch,
            };
            client.Secrets.Add(new ClientSecret { ClientId = id, Hash = ClientSecretHasher.Hash(secret), CreatedAt = DateTimeOffset.UnixEpoch });
            configure?.Invoke(client);
            return client;
        }
    }

    private sealed class TestServerSocketConnector(TestServer server, SignInHost host) : IPayloadSocketConnector
    {
        public Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct) =>
            host.RefuseWebSockets
                ? Task.FromException<WebSocket>(new WebSocketException("refused by the test"))
                : server.CreateWebSocketClient().ConnectAsync(uri, ct);
    }
}

/// <summary>Captures CIBA ping requests instead of sending them.</summary>
public sealed class PingCapture : HttpMessageHandler
{
    private readonly ConcurrentQueue<TaskCompletionSource<CapturedPing>> _waiters = new();

    public ConcurrentQueue<CapturedPing> Requests { get; } = new();

    public HttpStatusCode Answer { get; set; } = HttpStatusCode.NoContent;

    /// <summary>Statuses to answer first, one per ping, before <see cref="Answer"/>.</summary>
    public ConcurrentQueue<HttpStatusCode> FirstAnswers { get; } = new();

    /// <summary>The body of the answers, when they have one.</summary>
    public Func<HttpContent>? AnswerContent { get; set; }

    /// <summary>Completes with the next ping after the call (or one already captured when <paramref name="includeCaptured"/>).</summary>
    public Task<CapturedPing> NextAsync(bool includeCaptured = true)
    {
        if (includeCaptured && Requests.TryPeek(out var first)) return Task.FromResult(first);
        var waiter = new TaskCompletionSource<CapturedPing>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(waiter);
        return waiter.Task;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var ping = new CapturedPing(request.RequestUri!, request.Headers.Authorization?.ToString(),
            request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
        Requests.Enqueue(ping);
        while (_waiters.TryDequeue(out var waiter)) waiter.TrySetResult(ping);
        var answer = new HttpResponseMessage(FirstAnswers.TryDequeue(out var first) ? first : Answer);
        if (AnswerContent is { } content) answer.Content = content();
        return answer;
    }
}

public sealed record CapturedPing(Uri Uri, string? Authorization, string Body);
