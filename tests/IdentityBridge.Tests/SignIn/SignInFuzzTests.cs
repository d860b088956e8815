using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using IdentityBridge.Federation.Webhooks;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Tests.Provider;
using IdentityBridge.Xumm;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// The Xumm side of the bridge (sign-in pages and their status and completion endpoints, the webhook with a valid
/// signature over whatever body the fuzzer made, the xApp entry, CIBA and the xApp token exchange), fed requests the
/// <see cref="RequestFuzzer"/> derives from valid ones: never a 5xx, no exception text, no redirect off this host or
/// the registered redirect URI, and the host keeps answering.
/// </summary>
public sealed class SignInFuzzTests(SignInFuzzTests.Fixture shared, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SignInFuzzTests.Fixture>
{
    private const int Budget = 80;

    private SignInHost Host => shared.Host;

    /// <summary>
    /// A sign-in host with one wallet signed in, whose simulator does not hold the bridge to Xumm's per-minute quotas:
    /// the fuzzer starts far more sign-ins within a minute of the manual clock than Xumm allows one application, and
    /// a 503 for Xumm's rate limit is the right answer, not a finding. Calls to the platform whose path holds a NUL
    /// are answered 400, as a real server answers them (TestServer throws instead, which no network does).
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public SignInHost Host { get; } = new()
        {
            MoreServices = services =>
            {
                services.PostConfigure<XummSimulator.XummSimulatorOptions>(o =>
                {
                    o.PayloadCreationsPerMinute = 100_000;
                    o.ApiCallsPerMinute = 100_000;
                });
                services.AddHttpClient(nameof(XummPlatformClient)).AddHttpMessageHandler(() => new NulPathRefused());
            },
        };

        public string Wallet { get; } = XrplAddress.CreateRandom();

        public async Task InitializeAsync() => await Host.SignInByQrAsync(Host.CreateBrowser(), Wallet);

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    private sealed class NulPathRefused : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.AbsolutePath.Contains("%00", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest) { RequestMessage = request })
                : base.SendAsync(request, cancellationToken);
    }

    public static TheoryData<string> Areas => new() { "signin-pages", "signin-status", "webhook", "xapp", "ciba", "ciba-token", "token-exchange" };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task Hostile_requests_never_break_the_sign_in(string area)
    {
        var checks = new FuzzChecks([SignInHost.RedirectUri]);
        var fuzzer = new RequestFuzzer(ProviderFuzzTests.Seed(area));
        foreach (var (fresh, every) in Targets(area))
        {
            var (client, request) = await fresh();
            for (var i = 0; i < Budget; i++)
            {
                if (i > 0 && i % every == 0) (client, request) = await fresh();
                (await checks.SendAsync(client, fuzzer.Mutate(request), area)).Dispose();
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await Host.CreateApiClient().GetAsync("/.well-known/openid-configuration")).StatusCode);
        output.WriteLine(checks.Summary);
        checks.AssertNone();
    }

    private delegate Task<(HttpClient Client, FuzzRequest Request)> Fresh();

    private IEnumerable<(Fresh Fresh, int Every)> Targets(string area)
    {
        switch (area)
        {
            case "signin-pages":
                yield return (() => Task.FromResult((Host.CreateBrowser(),
                    Get("/signin/qr", ("returnUrl", SignInHost.AuthorizeUrl(SignInHost.WebClient)), ("login_hint", shared.Wallet), ("qr", "1")))), int.MaxValue);
                yield return (() => Task.FromResult((Host.CreateBrowser(), Get("/signin/push", ("returnUrl", "/account"), ("login_hint", shared.Wallet)))), int.MaxValue);
                yield return (async () =>
                {
                    var browser = Host.CreateBrowser();
                    var page = await browser.GetAsync(SignInHost.QrStart(forceQr: true));
                    var form = SignInHost.Form(await page.Content.ReadAsStringAsync(), SignInHost.StartFormId);
                    return (browser, Post(form.Action, form.Fields));
                }, 10);
                yield return (async () =>
                {
                    var browser = Host.CreateBrowser();
                    var (path, _) = await SignInHost.StartAsync(browser, SignInHost.QrStart(forceQr: true));
                    var page = await browser.GetStringAsync(path);
                    var token = SignInHost.Antiforgery(page);
                    var request = Post(path, new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
                    request.Query = FuzzRequest.Pairs(("handler", "cancel"));
                    return (browser, WithRoute(request, 3));
                }, 10);
                break;
            case "signin-status":
                foreach (var endpoint in new[] { "/signin/status/", "/signin/complete/", "/signin/qr/" })
                    yield return (async () =>
                    {
                        var browser = Host.CreateBrowser();
                        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart(forceQr: true));
                        return (browser, WithRoute(Get(endpoint + id), 3));
                    }, 20);
                break;
            case "webhook":
                // A delivery for a payload the wallet signed, and one for a payload still open (a reference call Xumm never made).
                foreach (var signed in new[] { true, false })
                    yield return (async () =>
                    {
                        var (_, id) = await SignInHost.StartAsync(Host.CreateBrowser(), SignInHost.QrStart(forceQr: true));
                        var uuid = (await Host.RequestAsync(id)).PayloadUuid!;
                        if (signed) Host.Simulator.Approve(uuid, XrplAddress.CreateRandom());
                        var reference = signed ? Host.Simulator.FindPayload(uuid)!.ReferenceCallUuid! : Guid.NewGuid().ToString();
                        var request = new FuzzRequest
                        {
                            Method = "POST",
                            Path = WebhookEndpoint.Path,
                            Json = WebhookTests.Body(uuid, reference, userToken: Guid.NewGuid().ToString()),
                            ContentType = "application/json",
                            Finish = SignWebhook,
                        };
                        request.Headers.Add(new(XummWebhookSignature.TimestampHeader, Now));
                        request.Headers.Add(new(XummWebhookSignature.SignatureHeader, Signature));
                        return (Host.CreateApiClient(), request);
                    }, 10);
                break;
            case "xapp":
                yield return (() => Task.FromResult((Host.CreateBrowser(), Get("/xapp",
                    ("xAppToken", Host.Simulator.IssueXAppOneTimeToken(BridgeFactory.XummApiKey, XrplAddress.CreateRandom(), "MAINNET")),
                    ("returnUrl", SignInHost.AuthorizeUrl(SignInHost.WebClient))))), 5);
                break;
            case "ciba":
                yield return (() => Task.FromResult((Host.CreateApiClient(), Post("/connect/ciba", new Dictionary<string, string>
                {
                    ["scope"] = "openid profile",
                    ["login_hint"] = shared.Wallet,
                    ["binding_message"] = "Fuzz 1",
                    ["requested_expiry"] = "120",
                }, Basic(SignInHost.CibaPollClient, SignInHost.CibaSecret)))), int.MaxValue);
                yield return (() => Task.FromResult((Host.CreateApiClient(), Post("/connect/ciba", new Dictionary<string, string>
                {
                    ["scope"] = "openid",
                    ["login_hint"] = shared.Wallet,
                    ["binding_message"] = "Fuzz 2",
                    ["client_notification_token"] = "notify-" + Guid.NewGuid().ToString("N"),
                }, Basic(SignInHost.CibaPingClient, SignInHost.CibaSecret)))), int.MaxValue);
                break;
            case "ciba-token":
                yield return (async () =>
                {
                    var started = await CibaTests.RequestAsync(Host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = shared.Wallet });
                    var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;
                    return (Host.CreateApiClient(), Post("/connect/token", new Dictionary<string, string>
                    {
                        ["grant_type"] = "urn:openid:params:grant-type:ciba",
                        ["auth_req_id"] = authReqId,
                    }, Basic(SignInHost.CibaPollClient, SignInHost.CibaSecret)));
                }, 20);
                break;
            case "token-exchange":
                yield return (() => Task.FromResult((Host.CreateApiClient(), Post("/connect/token", new Dictionary<string, string>
                {
                    ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
                    ["subject_token"] = XAppTests.Jwt(Host, XrplAddress.CreateRandom()),
                    ["subject_token_type"] = TokenExchangeTypes.XAppJwt,
                    ["scope"] = "openid profile",
                    ["audience"] = SignInHost.XAppClient,
                }, Basic(SignInHost.XAppClient, SignInHost.XAppSecret)).With(XAppSigner))), 10);
                break;
        }
    }

    private const string Now = "{now}";
    private const string Signature = "{signature}";

    /// <summary>Signs the final body, unless a mutation replaced the timestamp or signature header with a value of its own.</summary>
    private void SignWebhook(FuzzRequest request)
    {
        var timestamp = Host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Encoding.UTF8.GetBytes(XummWebhookSignature.DocumentedKey(BridgeFactory.XummApiSecret));
        var signature = Convert.ToHexStringLower(HMACSHA1.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes(timestamp), .. request.BodyBytes() ?? []]));
        request.Headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.Replace(Now, timestamp).Replace(Signature, signature))).ToList();
    }

    /// <summary>Signs changed claims of an xApp JWT as Xumm would (HS256 with the API secret), so they reach the claim checks.</summary>
    private static string XAppSigner(string header, string payload)
    {
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(BridgeFactory.XummApiSecret), Encoding.ASCII.GetBytes(input));
        return input + "." + Base64UrlEncoder.Encode(mac);
    }

    private static FuzzRequest Get(string path, params (string Name, string Value)[] query) => new() { Method = "GET", Path = path, Query = FuzzRequest.Pairs(query) };

    private static FuzzRequest Post(string path, Dictionary<string, string> form, string? authorization = null)
    {
        var request = new FuzzRequest
        {
            Method = "POST",
            Path = Regex.Replace(path, "\\?.*$", ""),
            Query = path.Contains('?') ? [.. Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(path[path.IndexOf('?')..])
                .Select(q => new KeyValuePair<string, string?>(q.Key, Uri.EscapeDataString(q.Value.ToString())))] : [],
            Form = FuzzRequest.Pairs([.. form.Select(f => (f.Key, f.Value))]),
            ContentType = "application/x-www-form-urlencoded",
        };
        if (authorization is not null) request.Headers.Add(new("Authorization", authorization));
        return request;
    }

    private static FuzzRequest WithRoute(FuzzRequest request, int segment)
    {
        var copy = request.Clone();
        copy.RouteSegments.Add(segment);
        return copy;
    }

    private static string Basic(string id, string secret) => OidcDriver.Basic(id, secret).ToString();
}
