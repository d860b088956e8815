using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

/// <summary>OpenID Connect Front-Channel Logout 1.0 at the end-session endpoint.</summary>
public sealed class FrontChannelLogoutTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string WebFrontChannel = "https://app.example/frontchannel";
    private const string PairwiseFrontChannel = "https://pairwise.example:8443/fc?tenant=7";
    private const string Es256FrontChannel = "https://es256.example/fc";

    [Fact]
    public async Task Each_front_channel_client_of_the_session_gets_a_frame_with_the_issuer_and_its_own_sid()
    {
        await RegisterFrontChannelsAsync();
        var driver = new OidcDriver(host);
        var web = await driver.LoginAsync();
        var pairwise = await driver.LoginAsync(driver.Params(TestClients.Pairwise), TestClients.Pairwise, "pairwise-secret");
        await driver.LoginAsync(clientId: TestClients.Other, secret: TestClients.OtherSecret);
        var webSid = Sid(web);
        var pairwiseSid = Sid(pairwise);
        Assert.NotEqual(webSid, pairwiseSid);

        var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = web.GetProperty("id_token").GetString()! });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("signed out", html);
        var frames = Frames(html);
        Assert.Equal(2, frames.Count);
        Assert.All(new HtmlParser().ParseDocument(html).QuerySelectorAll("iframe"), f => Assert.True(f.HasAttribute("hidden")));
        var webFrame = new Uri(frames.Single(f => f.StartsWith(WebFrontChannel, StringComparison.Ordinal)));
        var webQuery = QueryHelpers.ParseQuery(webFrame.Query);
        Assert.Equal(BridgeFactory.Issuer, webQuery["iss"].ToString());
        Assert.Equal(webSid, webQuery["sid"].ToString());
        Assert.Equal("https://app.example/frontchannel", webFrame.GetLeftPart(UriPartial.Path));

        // The registered query is kept; the pairwise client is given the sid of its own ID tokens.
        var pairwiseFrame = new Uri(frames.Single(f => f.StartsWith("https://pairwise.example:8443/fc?", StringComparison.Ordinal)));
        var pairwiseQuery = QueryHelpers.ParseQuery(pairwiseFrame.Query);
        Assert.Equal("7", pairwiseQuery["tenant"].ToString());
        Assert.Equal(BridgeFactory.Issuer, pairwiseQuery["iss"].ToString());
        Assert.Equal(pairwiseSid, pairwiseQuery["sid"].ToString());

        // Neither the client without a front-channel URI nor one that is not of this session gets a frame.
        Assert.DoesNotContain(frames, f => f.Contains("es256.example", StringComparison.Ordinal));

        Assert.Equal(["https://app.example", "https://pairwise.example:8443"], FrameSources(response).Order(StringComparer.Ordinal));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        await AssertSignedOutAsync(driver);

        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var details = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == "session.logout" && e.AccountId == accountId).Select(e => e.Details!).SingleAsync());
        var frontChannel = JsonDocument.Parse(details).RootElement.GetProperty("frontChannel").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal);
        Assert.Equal([TestClients.Pairwise, TestClients.Web], frontChannel);
    }

    [Fact]
    public async Task After_the_frames_the_page_continues_to_the_registered_post_logout_redirect_uri_with_state()
    {
        await RegisterFrontChannelsAsync();
        var driver = new OidcDriver(host);
        var web = await driver.LoginAsync();

        var response = await EndSessionAsync(driver, new()
        {
            ["id_token_hint"] = web.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = TestClients.PostLogout,
            ["state"] = "fc 1&2",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var document = new HtmlParser().ParseDocument(html);
        Assert.Single(Frames(html));
        const string next = TestClients.PostLogout + "?state=fc%201%262";
        // Without script (or when a frame never loads), a refresh after a few seconds; the link is there to press.
        var refresh = document.QuerySelector("meta[http-equiv=refresh]")!.GetAttribute("content")!;
        var seconds = int.Parse(refresh[..refresh.IndexOf(';')], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 5);
        Assert.Equal(next, refresh[(refresh.IndexOf(";url=", StringComparison.OrdinalIgnoreCase) + 5)..]);
        var link = document.QuerySelector("a#continue")!;
        Assert.Equal(next, link.GetAttribute("href"));
        // The script moves on once every frame has loaded, or after its own wait: a frame that never loads holds the
        // page's load event, after which the refresh's time only starts. It is a file of the bridge: no inline script.
        Assert.InRange(int.Parse(link.GetAttribute("data-wait-ms")!, System.Globalization.CultureInfo.InvariantCulture), 1000, 5000);
        var scripts = document.QuerySelectorAll("script").ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.True(s.HasAttribute("src") && s.TextContent.Trim().Length == 0));
        foreach (var src in scripts.Select(s => s.GetAttribute("src")!))
            Assert.Equal(HttpStatusCode.OK, (await driver.Browser.GetAsync(src)).StatusCode);
        Assert.Contains("script-src 'self';", Csp(response));
        await AssertSignedOutAsync(driver);
    }

    [Fact]
    public async Task A_session_without_front_channel_clients_is_redirected_as_before()
    {
        await RegisterFrontChannelsAsync();
        var driver = new OidcDriver(host);
        var other = await driver.LoginAsync(clientId: TestClients.Other, secret: TestClients.OtherSecret);
        var response = await EndSessionAsync(driver, new()
        {
            ["id_token_hint"] = other.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = TestClients.PostLogout,
            ["state"] = "plain",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(TestClients.PostLogout + "?state=plain", response.Headers.Location!.OriginalString);
        Assert.DoesNotContain("frame-src", Csp(response));
    }

    [Fact]
    public async Task A_front_channel_uri_is_html_attribute_encoded()
    {
        await RegisterFrontChannelsAsync();
        const string quoted = "https://app.example/fc?a=1&b=\"x'<y>";
        await host.UpdateClientAsync(TestClients.Web, c => c.FrontChannelLogoutUri = quoted);
        try
        {
            var driver = new OidcDriver(host);
            var web = await driver.LoginAsync();
            var response = await EndSessionAsync(driver, new() { ["id_token_hint"] = web.GetProperty("id_token").GetString()! });
            var html = await response.Content.ReadAsStringAsync();

            Assert.DoesNotContain("\"x'", html);
            Assert.DoesNotContain("<y>", html);
            Assert.Contains("a=1&amp;b=", html);
            var src = Assert.Single(Frames(html));
            Assert.StartsWith(quoted + "&iss=", src);
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Web, c => c.FrontChannelLogoutUri = WebFrontChannel);
        }
    }

    [Fact]
    public async Task Discovery_announces_front_channel_logout_with_session()
    {
        var doc = JsonDocument.Parse(await host.CreateApiClient().GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.True(doc.GetProperty("frontchannel_logout_supported").GetBoolean());
        Assert.True(doc.GetProperty("frontchannel_logout_session_supported").GetBoolean());
    }

    private async Task RegisterFrontChannelsAsync()
    {
        await host.UpdateClientAsync(TestClients.Web, c => c.FrontChannelLogoutUri = WebFrontChannel);
        await host.UpdateClientAsync(TestClients.Pairwise, c =>
        {
            c.FrontChannelLogoutUri = PairwiseFrontChannel;
            c.FrontChannelLogoutSessionRequired = true;
        });
        await host.UpdateClientAsync(TestClients.Es256, c => c.FrontChannelLogoutUri = Es256FrontChannel);
    }

    private static string Sid(JsonElement tokens) => OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");

    private static List<string> Frames(string html) =>
        new HtmlParser().ParseDocument(html).QuerySelectorAll("iframe").Select(f => f.GetAttribute("src")!).ToList();

    private static string Csp(HttpResponseMessage response) => string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));

    private static IEnumerable<string> FrameSources(HttpResponseMessage response)
    {
        var directive = Csp(response).Split(';', StringSplitOptions.TrimEntries).Single(d => d.StartsWith("frame-src ", StringComparison.Ordinal));
        return directive.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1);
    }

    private static Task<HttpResponseMessage> EndSessionAsync(OidcDriver driver, Dictionary<string, string> parameters) =>
        driver.Browser.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", parameters!));

    private static async Task AssertSignedOutAsync(OidcDriver driver)
    {
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);
    }
}
