using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityBridge.EndToEnd.Infrastructure;
using Microsoft.Playwright;

namespace IdentityBridge.EndToEnd.Provider;

/// <summary>
/// The bridge's session cookie is SameSite=Lax. An application on another site posts its authorization and
/// logout requests to the bridge as forms (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2), and Chromium
/// leaves the cookie off those POSTs. The bridge must still see the user's session: a silent login gets a
/// code, and a logout ends the session.
/// </summary>
public sealed class CrossSitePostTests(CrossSitePostTests.Stack stack) : IClassFixture<CrossSitePostTests.Stack>
{
    [Fact]
    public async Task A_silent_login_posted_from_another_site_sees_the_session()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        await stack.SignInAsync(page);

        var request = stack.AuthorizeParameters(prompt: "none");
        await page.GotoAsync(stack.Site.PutAutoPostingForm("/login-silently", stack.Bridge.BaseUrl + "/connect/authorize", request));
        var callback = await stack.WaitForCallbackAsync(page);
        Assert.True(callback.ContainsKey("code"), page.Url);
        Assert.Equal(request["state"], callback["state"]);
    }

    [Fact]
    public async Task A_logout_posted_from_another_site_ends_the_session()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var idToken = await stack.SignInAsync(page);

        const string state = "bye é/&=";
        await page.GotoAsync(stack.Site.PutAutoPostingForm("/log-out", stack.Bridge.BaseUrl + "/connect/endsession",
        [
            new("id_token_hint", idToken),
            new("post_logout_redirect_uri", stack.Site.BaseUrl + Stack.SignedOutPath),
            new("state", state),
        ]));
        await page.WaitForURLAsync(url => url.StartsWith(stack.Site.BaseUrl + Stack.SignedOutPath, StringComparison.Ordinal), new() { Timeout = 30_000 });
        Assert.Equal(state, Query(page.Url)["state"]);

        // The bridge session is gone: a silent login now needs the user.
        await page.GotoAsync(stack.AuthorizeUrl(stack.AuthorizeParameters(prompt: "none")));
        var callback = await stack.WaitForCallbackAsync(page);
        Assert.Equal("login_required", callback.GetValueOrDefault("error"));
    }

    [Fact]
    public async Task Allow_on_the_consent_page_reaches_the_application_on_its_own_site()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = stack.AuthorizeParameters(clientId: Stack.ConsentClientId);
        await stack.SignInUntilConsentAsync(page, request);

        // Chromium applies the page's CSP form-action to every redirect that follows the form's POST, the
        // last one included: the redirect to the application's callback on its own origin.
        await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
        var callback = await stack.WaitForCallbackAsync(page);
        Assert.True(callback.ContainsKey("code"), page.Url);
        Assert.Equal(request["state"], callback["state"]);
    }

    [Fact]
    public async Task Deny_on_the_consent_page_reaches_the_application_with_access_denied()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = stack.AuthorizeParameters(clientId: Stack.ConsentClientId);
        await stack.SignInUntilConsentAsync(page, request);

        await page.GetByRole(AriaRole.Button, new() { Name = "Deny" }).ClickAsync();
        var callback = await stack.WaitForCallbackAsync(page);
        Assert.Equal("access_denied", callback.GetValueOrDefault("error"));
        Assert.Equal(request["state"], callback["state"]);
    }

    [Fact]
    public async Task A_confirmed_logout_reaches_the_registered_post_logout_redirect_uri()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        await stack.SignInAsync(page);

        // Without id_token_hint the user confirms on the bridge's page; its form's POST is answered with the
        // redirect to the application's own origin.
        const string state = "confirmed é&=";
        await page.GotoAsync(stack.Bridge.BaseUrl + "/connect/endsession?client_id=" + Stack.ClientId
            + "&post_logout_redirect_uri=" + Uri.EscapeDataString(stack.Site.BaseUrl + Stack.SignedOutPath)
            + "&state=" + Uri.EscapeDataString(state));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(stack.Site.BaseUrl + Stack.SignedOutPath, StringComparison.Ordinal), new() { Timeout = 30_000 });
        Assert.Equal(state, Query(page.Url)["state"]);
    }

    [Fact]
    public async Task A_logout_frames_the_front_channel_logout_page_and_then_reaches_the_application()
    {
        // Front-Channel Logout 1.0 §4: Chromium loads the application's logout page in a frame of the bridge's
        // page (its CSP allows that origin) with iss and sid, and only then goes on to the post-logout URI.
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var idToken = await stack.SignInAsync(page, Stack.FramedClientId);
        var payload = idToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var sid = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '='))).RootElement.GetProperty("sid").GetString();

        const string state = "framed é&=";
        await page.GotoAsync(stack.Site.PutAutoPostingForm("/log-out-framed", stack.Bridge.BaseUrl + "/connect/endsession",
        [
            new("id_token_hint", idToken),
            new("post_logout_redirect_uri", stack.Site.BaseUrl + Stack.SignedOutPath),
            new("state", state),
        ]));
        await page.WaitForURLAsync(url => url.StartsWith(stack.Site.BaseUrl + Stack.SignedOutPath, StringComparison.Ordinal), new() { Timeout = 30_000 });
        Assert.Equal(state, Query(page.Url)["state"]);

        var requests = stack.Site.Requests.ToList();
        var framed = requests.FindIndex(r => r.StartsWith(Stack.FrontChannelPath + "?", StringComparison.Ordinal));
        Assert.True(framed >= 0, string.Join('\n', requests));
        var query = Query(stack.Site.BaseUrl + requests[framed]);
        Assert.Equal(stack.Bridge.BaseUrl, query["iss"]);
        Assert.Equal(sid, query["sid"]);
        Assert.True(framed < requests.FindLastIndex(r => r.StartsWith(Stack.SignedOutPath + "?", StringComparison.Ordinal)), string.Join('\n', requests));
    }

    [Fact]
    public async Task A_front_channel_logout_page_that_never_answers_holds_the_user_only_a_few_seconds()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var idToken = await stack.SignInAsync(page, Stack.SilentClientId);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(stack.Site.PutAutoPostingForm("/log-out-silent", stack.Bridge.BaseUrl + "/connect/endsession",
        [
            new("id_token_hint", idToken),
            new("post_logout_redirect_uri", stack.Site.BaseUrl + Stack.SignedOutPath),
            new("state", "silent"),
        ]), new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForURLAsync(url => url.StartsWith(stack.Site.BaseUrl + Stack.SignedOutPath, StringComparison.Ordinal), new() { Timeout = 30_000 });
        Assert.Equal("silent", Query(page.Url)["state"]);
        Assert.Contains(stack.Site.Requests, r => r.StartsWith(Stack.SilentFrontChannelPath + "?", StringComparison.Ordinal));
        // The frame never loaded (nor, therefore, the page): the page moved on after its wait, not sooner.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.5), watch.Elapsed.ToString());
    }

    private static Dictionary<string, string> Query(string url)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query);
        return query.AllKeys.OfType<string>().ToDictionary(k => k, k => query[k]!);
    }

    /// <summary>
    /// The bridge (in-process Xumm simulator approving at once) with four clients whose web site is <see cref="OtherSite"/>
    /// (the last two with a front-channel logout URI there, the fourth's never answering),
    /// and Chromium. Each client also has a redirect URI and a post-logout URI (<see cref="HandOffPath"/>,
    /// <see cref="SignedOutHandOffPath"/>) that the site answers with a redirect on to <see cref="Elsewhere"/>, another origin.
    /// </summary>
    public sealed class Stack : IAsyncLifetime
    {
        public const string Wallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
        public const string ClientId = "other-site-app";
        public const string ConsentClientId = "other-site-consenting-app";
        public const string FramedClientId = "other-site-framed-app";
        public const string FrontChannelPath = "/front-channel-logout";
        public const string SilentClientId = "other-site-silent-app";
        public const string SilentFrontChannelPath = "/front-channel-logout-silent";
        public const string CallbackPath = "/callback";
        public const string SignedOutPath = "/signed-out";
        public const string HandOffPath = "/hand-off";
        public const string SignedOutHandOffPath = "/signed-out-hand-off";
        public const string HomePath = "/home";
        private const string ClientSecret = "other-site-app-secret-3f9a61c2d8e4b7a5";

        private IPlaywright? _playwright;
        private IBrowser? _chromium;
        private readonly string _verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public ProcessHost Bridge { get; private set; } = null!;
        public OtherSite Site { get; private set; } = null!;

        /// <summary>Where the site's hand-off paths send the user on: the same host on another port, another origin.</summary>
        public OtherSite Elsewhere { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Site = new OtherSite(ProcessHost.FreePort());
            Elsewhere = new OtherSite(ProcessHost.FreePort());
            Site.PutRedirect(HandOffPath, Elsewhere.BaseUrl + HomePath);
            Site.PutRedirect(SignedOutHandOffPath, Elsewhere.BaseUrl + SignedOutPath);
            var bridgePort = ProcessHost.FreePort();
            var env = Databases.NewDatabase("Sqlite");
            env["Bridge__Issuer"] = $"http://127.0.0.1:{bridgePort}";
            env["Bridge__RateLimits__Enabled"] = "false";
            env["Xumm__Simulator__Enabled"] = "true";
            env["Xumm__Simulator__AutoApprove"] = Wallet;
            // Indexes 20 and 21: clear of the clients of appsettings.Development.json (configuration arrays merge
            // by index). Two applications of that site; the second asks its users for their consent.
            void Declare(int index, string clientId, string name, bool requireConsent, string? frontChannelLogoutUri = null)
            {
                var client = $"Bridge__Clients__{index}__";
                env[client + "ClientId"] = clientId;
                env[client + "ClientName"] = name;
                env[client + "ClientSecret"] = ClientSecret;
                env[client + "ClientType"] = "confidential";
                env[client + "TokenEndpointAuthMethod"] = "client_secret_basic";
                env[client + "RequireConsent"] = requireConsent ? "true" : "false";
                env[client + "RedirectUris__0"] = Site.BaseUrl + CallbackPath;
                env[client + "RedirectUris__1"] = Site.BaseUrl + HandOffPath;
                env[client + "PostLogoutRedirectUris__0"] = Site.BaseUrl + SignedOutPath;
                env[client + "PostLogoutRedirectUris__1"] = Site.BaseUrl + SignedOutHandOffPath;
                env[client + "AllowedScopes__0"] = "openid";
                env[client + "AllowedScopes__1"] = "profile";
                env[client + "AllowedGrantTypes__0"] = "authorization_code";
                if (frontChannelLogoutUri is not null) env[client + "FrontChannelLogoutUri"] = frontChannelLogoutUri;
            }

            Declare(20, ClientId, "Application on another site", requireConsent: false);
            Declare(21, ConsentClientId, "Consenting application on another site", requireConsent: true);
            Declare(22, FramedClientId, "Application on another site with a front-channel logout page", requireConsent: false, Site.BaseUrl + FrontChannelPath);
            Declare(23, SilentClientId, "Application on another site whose front-channel logout page hangs", requireConsent: false, Site.PutSilence(SilentFrontChannelPath));
            Bridge = await ProcessHost.StartAsync("IdentityBridge", env, "/.well-known/openid-configuration", bridgePort);

            _playwright = await Playwright.CreateAsync();
            _chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
        }

        public Task<IBrowserContext> NewContextAsync() => _chromium!.NewContextAsync();

        public Dictionary<string, string> AuthorizeParameters(string? prompt = null, string clientId = ClientId)
        {
            var p = new Dictionary<string, string>
            {
                ["client_id"] = clientId,
                ["redirect_uri"] = Site.BaseUrl + CallbackPath,
                ["response_type"] = "code",
                ["scope"] = clientId == ConsentClientId ? "openid profile" : "openid",
                ["state"] = "st " + Guid.NewGuid().ToString("N")[..8] + " é&=",
                ["nonce"] = "n-" + Guid.NewGuid().ToString("N")[..8],
                ["code_challenge"] = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(_verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                ["code_challenge_method"] = "S256",
            };
            if (prompt is not null) p["prompt"] = prompt;
            return p;
        }

        public string AuthorizeUrl(Dictionary<string, string> parameters) =>
            Bridge.BaseUrl + "/connect/authorize?" + string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

        /// <summary>Waits for the browser to come back to the application's redirect URI; its query parameters.</summary>
        public Task<Dictionary<string, string>> WaitForCallbackAsync(IPage page) => WaitForPageAsync(page, Site.BaseUrl + CallbackPath);

        /// <summary>Waits for the browser to arrive at <paramref name="url"/> (with any query); its query parameters.</summary>
        public static async Task<Dictionary<string, string>> WaitForPageAsync(IPage page, string url)
        {
            await page.WaitForURLAsync(at => at.StartsWith(url, StringComparison.Ordinal), new() { Timeout = 30_000 });
            return Query(page.Url);
        }

        /// <summary>Starts the authorization request and signs the user in until the bridge asks for consent.</summary>
        public async Task SignInUntilConsentAsync(IPage page, Dictionary<string, string> request)
        {
            await page.GotoAsync(AuthorizeUrl(request));
            var deadline = DateTime.UtcNow.AddSeconds(90);
            var allow = page.GetByRole(AriaRole.Button, new() { Name = "Allow" });
            while (await allow.CountAsync() == 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"No consent page; still at {page.Url}.\n{string.Join('\n', Bridge.Output)}");
                var control = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("xumm|xaman|sign in|log in|continue", System.Text.RegularExpressions.RegexOptions.IgnoreCase) });
                if (await control.CountAsync() > 0 && await control.First.IsVisibleAsync()) await control.First.ClickAsync();
                await Task.Delay(250);
            }
        }

        /// <summary>
        /// Signs the user in at the bridge through the application's login (top-level GET navigation: the
        /// bridge's cookie is set) and redeems the code; the ID token.
        /// </summary>
        public async Task<string> SignInAsync(IPage page, string clientId = ClientId)
        {
            await page.GotoAsync(AuthorizeUrl(AuthorizeParameters(clientId: clientId)));
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (!page.Url.StartsWith(Site.BaseUrl + CallbackPath, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Sign-in did not come back to the application; still at {page.Url}.\n{string.Join('\n', Bridge.Output)}");
                try
                {
                    await page.WaitForURLAsync(url => url.StartsWith(Site.BaseUrl + CallbackPath, StringComparison.Ordinal), new() { Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                    // Where a login page asks how to sign in, press the Xumm sign-in control, as a person would.
                    var control = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("xumm|xaman|sign in|log in|continue", System.Text.RegularExpressions.RegexOptions.IgnoreCase) });
                    if (await control.CountAsync() > 0 && await control.First.IsVisibleAsync()) await control.First.ClickAsync();
                }
            }
            var code = Query(page.Url)["code"];

            using var http = new HttpClient();
            using var token = new HttpRequestMessage(HttpMethod.Post, Bridge.BaseUrl + "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code",
                    ["code"] = code,
                    ["redirect_uri"] = Site.BaseUrl + CallbackPath,
                    ["code_verifier"] = _verifier,
                }),
            };
            token.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{ClientSecret}")));
            using var response = await http.SendAsync(token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("id_token").GetString()!;
        }

        public async Task DisposeAsync()
        {
            if (_chromium is not null) await _chromium.DisposeAsync();
            _playwright?.Dispose();
            if (Bridge is not null) await Bridge.DisposeAsync();
            if (Site is not null) await Site.DisposeAsync();
            if (Elsewhere is not null) await Elsewhere.DisposeAsync();
        }
    }
}
