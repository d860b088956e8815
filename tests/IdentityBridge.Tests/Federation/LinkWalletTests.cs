using System.Net;
using System.Text.RegularExpressions;
using IdentityBridge.Audit;
using IdentityBridge.Federation;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Federation;

public sealed partial class LinkWalletTests
{
    [Fact]
    public async Task A_signed_in_user_links_a_second_wallet_by_signing_with_it()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());
        var second = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(second);

        var challenge = await PostLinkAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Equal("/xumm-sim/auth", challenge.Headers.Location!.AbsolutePath);
        var hops = await FederationHost.FollowAsync(browser, challenge.Headers.Location.PathAndQuery);

        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.Equal("linked", hops[^1].Query["link"].ToString());
        Assert.Contains("now linked", hops[^1].Body, StringComparison.Ordinal);
        Assert.Contains(second, hops[^1].Body, StringComparison.Ordinal);
        Assert.Contains(BridgeFactory.DefaultWallet, hops[^1].Body, StringComparison.Ordinal);
        var wallets = await host.WithDbAsync(db => db.Wallets.AsNoTracking().ToListAsync());
        Assert.Equal(2, wallets.Count);
        Assert.Single(wallets.Select(w => w.AccountId).Distinct());
        var linked = Assert.Single(await host.AuditAsync(AuditTypes.WalletLinked));
        Assert.Contains(second, linked.Details, StringComparison.Ordinal);
        // Linking does not start another session.
        Assert.Single(await host.SessionsAsync());
    }

    [Fact]
    public async Task A_wallet_that_belongs_to_another_account_is_not_linked()
    {
        await using var host = new FederationHost();
        var other = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(other);
        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        host.Simulator.SetAutoApprove(BridgeFactory.DefaultWallet);
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());

        host.Simulator.SetAutoApprove(other);
        var challenge = await PostLinkAsync(browser);
        var hops = await FederationHost.FollowAsync(browser, challenge.Headers.Location!.PathAndQuery);

        Assert.Equal("linked_elsewhere", hops[^1].Query["link"].ToString());
        Assert.Contains("already linked to another account", hops[^1].Body, StringComparison.Ordinal);
        Assert.Equal(2, await host.WithDbAsync(db => db.Accounts.CountAsync()));
        Assert.Empty(await host.AuditAsync(AuditTypes.WalletLinked));
    }

    [Fact]
    public async Task A_blocked_wallet_is_not_linked()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());
        var blocked = XrplAddress.CreateRandom();
        host.Simulator.BlockAccount(blocked);
        host.Simulator.SetAutoApprove(blocked);

        var challenge = await PostLinkAsync(browser);
        var hops = await FederationHost.FollowAsync(browser, challenge.Headers.Location!.PathAndQuery);

        Assert.Equal("blocked", hops[^1].Query["link"].ToString());
        Assert.Contains("blocklist", hops[^1].Body, StringComparison.Ordinal);
        Assert.Single(await host.WithDbAsync(db => db.Wallets.ToListAsync()));
    }

    [Fact]
    public async Task Linking_needs_the_antiforgery_token()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());

        using var response = await browser.PostAsync("/account?handler=Link", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(host.Simulator.Payloads().Skip(1));
    }

    [Fact]
    public async Task The_account_page_sends_an_anonymous_visitor_to_the_login()
    {
        await using var host = new FederationHost();
        var hop = await FederationHost.GetAsync(host.CreateBrowser(), new Uri("http://localhost/account"));
        Assert.Equal(HttpStatusCode.Redirect, hop.Status);
        Assert.Equal("/login?returnUrl=%2Faccount", hop.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_account_page_lets_the_link_form_go_on_to_xumm()
    {
        // "Link another wallet" posts to /account, which answers with a redirect to Xumm's sign-in, whose own redirects
        // the bridge does not know. Chromium holds every redirect of a form submission to the page's form-action, so
        // the page has none.
        await using var host = new Provider.ProviderHost();
        host.Settings["Xumm:Simulator:Enabled"] = "false";
        host.Settings["Xumm:Simulator:AutoApprove"] = null;
        var driver = new Provider.OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        var page = await driver.Browser.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("form-action", string.Join(' ', page.Headers.GetValues("Content-Security-Policy")));
    }

    private static async Task<HttpResponseMessage> PostLinkAsync(HttpClient browser)
    {
        var page = await browser.GetStringAsync("/account");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the account page carries an antiforgery token");
        return await browser.PostAsync("/account?handler=Link", new FormUrlEncodedContent(
            [new KeyValuePair<string, string>("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value))]));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
