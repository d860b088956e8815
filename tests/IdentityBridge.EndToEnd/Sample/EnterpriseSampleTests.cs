using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;

namespace IdentityBridge.EndToEnd.Sample;

/// <summary>
/// The sample enterprise app against the bridge, both as real processes: login through the bridge (and the
/// Xumm simulator), the claims page, the JwtBearer-protected API, token refresh, RP-initiated logout and
/// back-channel logout.
/// </summary>
public sealed class EnterpriseSampleTests(SampleStack stack) : IClassFixture<SampleStack>
{
    private static readonly TimeSpan BackChannelTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Login_shows_the_claims_calls_the_api_refreshes_and_logs_out()
    {
        using var browser = new Browser();
        await LoginAsync(browser);

        var home = await browser.PageAsync(stack.AppUrl);
        var sub = Claim(home, "sub");
        var sid = Claim(home, "sid");
        Assert.NotEqual("(none)", sub);
        Assert.NotEqual("(none)", sid);
        Assert.NotEqual("(none)", Claim(home, "name"));
        Assert.Equal(SampleStack.Wallet, Claim(home, "xrpl_address"));
        Assert.Contains(SampleStack.Wallet, Claim(home, "xrpl_addresses").Split(' '));
        Assert.Contains("bridge-admin", Claim(home, "roles").Split(' '));
        Assert.Equal("present", Claim(home, "refresh_token"));

        var api = await CallApiAsync(browser, home);
        Assert.Equal(sub, api.GetProperty("sub").GetString());
        Assert.Equal(SampleStack.ClientId, api.GetProperty("client_id").GetString());
        Assert.Equal(SampleStack.Wallet, api.GetProperty("xrpl_address").GetString());
        Assert.Equal(sid, api.GetProperty("sid").GetString());

        // Refresh: a new access token (another jti) that the API accepts as well.
        var before = Claim(home, "access_token_jti");
        using (var refresh = await browser.PostFormAsync(new Uri(stack.AppUrl, "/refresh"), Browser.FormFields(home, "refresh")))
        {
            Assert.Equal(HttpStatusCode.Redirect, refresh.StatusCode);
            Assert.Equal("/?notice=refreshed", refresh.Headers.Location!.OriginalString);
        }
        home = await browser.PageAsync(new Uri(stack.AppUrl, "/?notice=refreshed"));
        Assert.Equal("Tokens refreshed.", home.QuerySelector("#notice")?.TextContent);
        Assert.NotEqual(before, Claim(home, "access_token_jti"));
        Assert.Equal(sub, Claim(home, "sub"));
        Assert.Equal(sub, (await CallApiAsync(browser, home)).GetProperty("sub").GetString());

        // RP-initiated logout: the bridge ends its session and returns to the registered post-logout URI;
        // the app is told over the back channel as well.
        var logSkip = stack.App.Output.Count;
        var logout = await browser.PostFormAsync(new Uri(stack.AppUrl, "/logout"), Browser.FormFields(home, "logout"));
        var landing = await browser.FollowAsync(logout, new Uri(stack.AppUrl, "/logout"), stack.AppUrl);
        Assert.Equal(stack.AppUrl, landing);
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/connect/endsession" && u.Port == stack.Bridge.Port);
        Assert.NotNull((await browser.PageAsync(stack.AppUrl)).QuerySelector("#signed-out"));
        var line = await stack.WaitForAppLogAsync("Back-channel logout: ended", logSkip, BackChannelTimeout);
        Assert.Contains(sid, line, StringComparison.Ordinal);

        // The bridge session is gone: the next login goes through the bridge's login again.
        await LoginAsync(browser);
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/login" && u.Port == stack.Bridge.Port);
        Assert.NotEqual(sid, Claim(await browser.PageAsync(stack.AppUrl), "sid"));
    }

    [Fact]
    public async Task Logout_at_the_bridge_ends_the_app_session_over_the_back_channel()
    {
        using var browser = new Browser();
        await LoginAsync(browser);
        var sid = Claim(await browser.PageAsync(stack.AppUrl), "sid");

        // The user signs out at the bridge itself (no id_token_hint: the bridge asks for confirmation).
        var confirm = await browser.PageAsync(new Uri(stack.BridgeUrl, "/connect/endsession"));
        var form = confirm.QuerySelector("form[action$='/connect/endsession']") ?? throw new InvalidOperationException(confirm.Body?.OuterHtml);
        var fields = form.QuerySelectorAll("input[type=hidden]")
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name") ?? "", i.GetAttribute("value") ?? ""))
            .Append(new("confirm", "yes"))
            .ToList();
        var logSkip = stack.App.Output.Count;
        using (var signedOut = await browser.PostFormAsync(new Uri(stack.BridgeUrl, "/connect/endsession"), fields))
            Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);

        var line = await stack.WaitForAppLogAsync($"ended 1 local session(s) of bridge session {sid}", logSkip, BackChannelTimeout);
        Assert.NotEmpty(line);
        Assert.NotNull((await browser.PageAsync(stack.AppUrl)).QuerySelector("#signed-out"));
    }

    [Fact]
    public async Task Api_and_back_channel_refuse_what_the_bridge_did_not_issue()
    {
        using var browser = new Browser();
        using (var anonymous = await browser.GetAsync(new Uri(stack.AppUrl, "/api/me")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }

        var unsigned = Jwt(new { alg = "none", typ = "logout+jwt" }, new
        {
            iss = stack.Bridge.BaseUrl, aud = SampleStack.ClientId, sub = "x", sid = "y", jti = Guid.NewGuid().ToString("N"),
            iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            events = new Dictionary<string, object> { ["http://schemas.openid.net/event/backchannel-logout"] = new { } },
        }) + ".";
        using (var forged = await browser.PostFormAsync(new Uri(stack.AppUrl, "/backchannel-logout"), [new("logout_token", unsigned)]))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.AppUrl, "/api/me"));
        request.Headers.Authorization = new("Bearer", unsigned);
        using var http = new HttpClient();
        using var bearer = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
    }

    /// <summary>App /login → bridge authorize → bridge login → Xumm simulator → bridge → app callback → app home.</summary>
    private async Task LoginAsync(Browser browser)
    {
        var start = new Uri(stack.AppUrl, "/login");
        var landing = await browser.FollowAsync(await browser.GetAsync(start), start, stack.AppUrl);
        Assert.Equal(stack.AppUrl, landing);
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/connect/authorize" && u.Port == stack.Bridge.Port);
        Assert.Contains(browser.Visited, u => u.AbsolutePath == "/signin-bridge" && u.Port == stack.App.Port);
    }

    private async Task<JsonElement> CallApiAsync(Browser browser, IDocument home)
    {
        using var response = await browser.PostFormAsync(new Uri(stack.AppUrl, "/call-api"), Browser.FormFields(home, "call-api"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.Equal("200", page.QuerySelector("#api-status")?.TextContent);
        return JsonDocument.Parse(page.QuerySelector("#api-result")!.TextContent).RootElement.Clone();
    }

    private static string Claim(IDocument page, string name) =>
        page.QuerySelector($"#claim-{name}")?.TextContent ?? throw new InvalidOperationException($"no claim {name} on the page:\n{page.Body?.OuterHtml}");

    private static string Jwt(object header, object payload) =>
        B64(JsonSerializer.Serialize(header)) + "." + B64(JsonSerializer.Serialize(payload));

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
