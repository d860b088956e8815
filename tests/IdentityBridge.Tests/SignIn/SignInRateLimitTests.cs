using System.Net;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// Every sign-in start spends one of the application's Xumm payloads (about 30 a minute for the whole
/// application), so the routes that start one have a small budget per address of their own.
/// </summary>
public sealed class SignInRateLimitTests
{
    private static (SignInHost Host, PeerAddress Peer) Create(int startsPerMinute)
    {
        var peer = new PeerAddress();
        var host = new SignInHost { MoreServices = peer.Register };
        host.Settings["Bridge:RateLimits:Enabled"] = "true";
        host.Settings["Bridge:RateLimits:SignInsPerMinute"] = startsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (host, peer);
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient browser, string url, string peer) => browser.SendAsync(PeerAddress.Get(url, peer));

    private static Task<HttpResponseMessage> PostAsync(HttpClient browser, (string Action, Dictionary<string, string> Fields) form, string peer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, form.Action) { Content = new FormUrlEncodedContent(form.Fields) };
        request.Headers.Add(PeerAddress.Header, peer);
        return browser.SendAsync(request);
    }

    [Fact]
    public async Task An_address_that_starts_too_many_sign_ins_gets_429_and_no_more_payloads_are_created()
    {
        var (host, _) = Create(startsPerMinute: 3);
        await using var _host = host;
        var first = host.CreateBrowser();
        using var opened = await GetAsync(first, SignInHost.QrStart(), "10.0.0.1");
        var form = SignInHost.Form(await opened.Content.ReadAsStringAsync(), SignInHost.StartFormId);
        using (var started = await PostAsync(first, form, "10.0.0.1"))
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        string firstPage;
        // A second press of the button resumes the pending request, and counts like any other.
        using (var again = await PostAsync(first, form, "10.0.0.1"))
            firstPage = again.Headers.Location!.OriginalString;
        using (var started = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.0.1"))
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);

        using var limited = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.0.1");
        using var xapp = await GetAsync(host.CreateBrowser(), "/xapp?xAppToken=" + Guid.NewGuid(), "10.0.0.1");
        using var push = await SignInHost.SendStartAsync(host.CreateBrowser(), "/signin/push?returnUrl=%2Faccount", "10.0.0.1");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, xapp.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, push.StatusCode);
        Assert.Equal(2, host.Simulator.Payloads().Count);

        // The waiting page and its status poll are not starts, and other addresses have their own budget.
        using var page = await GetAsync(first, firstPage, "10.0.0.1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var id = firstPage[(firstPage.LastIndexOf('/') + 1)..];
        using var status = await GetAsync(first, SignInPaths.Status + "/" + id, "10.0.0.1");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var other = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.0.2");
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
    }

    [Fact]
    public async Task Opening_start_links_spends_nothing_of_the_budget_only_the_posted_start_does()
    {
        var (host, _) = Create(startsPerMinute: 1);
        await using var _host = host;

        for (var i = 0; i < 5; i++)
        {
            using var opened = await GetAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.0.1");
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            using var push = await GetAsync(host.CreateBrowser(), "/signin/push?returnUrl=%2Faccount", "10.0.0.1");
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        }
        Assert.Empty(host.Simulator.Payloads());

        using (var started = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.0.1"))
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        using var limited = await SignInHost.SendStartAsync(host.CreateBrowser(), "/signin/push?returnUrl=%2Faccount", "10.0.0.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Single(host.Simulator.Payloads());
    }

    [Fact]
    public async Task Reloading_the_start_link_in_one_browser_reuses_its_pending_payload()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();

        var (_, first) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var (_, again) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        Assert.Equal(first, again);
        Assert.Single(host.Simulator.Payloads());
    }

    [Fact]
    public async Task Browser_sign_ins_from_many_addresses_leave_part_of_the_xumm_quota_to_ciba()
    {
        var (host, _) = Create(startsPerMinute: 10);
        host.Settings["Bridge:RateLimits:BrowserPayloadsPerMinute"] = "2";
        await using var _host = host;
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        using (var second = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.1.2"))
            Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);

        // Each address is well within its own budget; the browsers' budget of the minute is spent.
        using var refused = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart(), "10.0.1.3");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("Too many sign-ins are starting right now", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, host.Simulator.Payloads().Count);

        // A registered client's back-channel sign-in is not counted there, and still gets its payload.
        var ciba = await CibaTests.RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = wallet });
        Assert.Equal(HttpStatusCode.OK, ciba.Status);
        Assert.Equal(3, host.Simulator.Payloads().Count);
    }

    [Fact]
    public async Task The_sign_in_budget_can_be_switched_off_with_the_other_limits()
    {
        await using var host = new SignInHost();
        host.Settings["Bridge:RateLimits:SignInsPerMinute"] = "1";

        for (var i = 0; i < 3; i++)
            await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart(loginHint: XrplAddress.CreateRandom()));

        Assert.Equal(3, host.Simulator.Payloads().Count);
    }
}
