using System.Net;
using AngleSharp.Html.Parser;
using IdentityBridge.Audit;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

public sealed class ConsentTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string Secret = "third-party-secret";

    [Fact]
    public async Task Consent_page_lists_the_client_and_scopes_in_plain_words()
    {
        var driver = new OidcDriver(host);
        var consent = await ToConsentAsync(driver, driver.Params(TestClients.Consent, scope: "openid email wallet"));
        var page = await driver.Browser.GetAsync(consent);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("App third-party", html);
        Assert.Contains("See your email address", html);
        Assert.Contains("XRP Ledger wallet", html);
        Assert.DoesNotContain("Stay signed in", html);
    }

    [Fact]
    public async Task Deny_returns_access_denied_to_the_client()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Consent);
        var response = await DecideAsync(driver, await ToConsentAsync(driver, p), "deny");
        var callback = OidcDriver.Callback(response);
        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        Assert.Equal(BridgeFactory.Issuer, callback["iss"]);
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == AuditTypes.ConsentDenied)));
    }

    [Fact]
    public async Task Allowed_consent_is_remembered_until_more_scopes_are_asked()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Consent, scope: "openid profile");
        var resumed = await DecideAsync(driver, await ToConsentAsync(driver, p), "allow");
        Assert.StartsWith("/connect/authorize?", resumed.Headers.Location!.OriginalString);
        var code = OidcDriver.Callback(await driver.Browser.GetAsync(resumed.Headers.Location!.OriginalString))["code"];
        Assert.Equal(HttpStatusCode.OK, (await driver.RedeemAsync(code, TestClients.Consent, Secret)).StatusCode);
        Assert.True(await host.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Type == AuditTypes.ConsentGranted)));

        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(driver.Params(TestClients.Consent, scope: "openid"))).ContainsKey("code"));
        var wider = await driver.AuthorizeAsync(driver.Params(TestClients.Consent, scope: "openid profile email"));
        Assert.StartsWith("/consent?", wider.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Prompt_consent_forces_the_page_once_and_prompt_none_reports_consent_required()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Consent, scope: "openid");
        var silent = new Dictionary<string, string>(p) { ["prompt"] = "none" };
        await driver.GetCodeAsync(driver.Params(scope: "openid"));
        Assert.Equal("consent_required", OidcDriver.Callback(await driver.AuthorizeAsync(silent))["error"]);

        var resumed = await DecideAsync(driver, await ToConsentAsync(driver, p), "allow");
        Assert.True(OidcDriver.Callback(await driver.Browser.GetAsync(resumed.Headers.Location!.OriginalString)).ContainsKey("code"));

        var forced = driver.Params(TestClients.Consent, scope: "openid");
        forced["prompt"] = "consent";
        var first = await driver.AuthorizeAsync(forced);
        Assert.StartsWith("/consent?", first.Headers.Location!.OriginalString);
        var again = await DecideAsync(driver, first.Headers.Location!.OriginalString, "allow");
        Assert.True(OidcDriver.Callback(await driver.Browser.GetAsync(again.Headers.Location!.OriginalString)).ContainsKey("code"));

        var firstParty = driver.Params(scope: "openid");
        firstParty["prompt"] = "consent";
        Assert.StartsWith("/consent?", (await driver.AuthorizeAsync(firstParty)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Prompt_login_followed_by_consent_issues_the_code_without_another_login()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params(scope: "openid"));
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        var p = driver.Params(TestClients.Consent, scope: "openid");
        p["prompt"] = "login";
        var consent = await driver.SignInAtLoginAsync(await driver.AuthorizeAsync(p));
        Assert.StartsWith("/consent?returnUrl=", consent.Headers.Location!.OriginalString);
        var resumed = await DecideAsync(driver, consent.Headers.Location!.OriginalString, "allow");
        Assert.True(OidcDriver.Callback(await driver.Browser.GetAsync(resumed.Headers.Location!.OriginalString)).ContainsKey("code"));
    }

    [Fact]
    public async Task Consent_page_needs_a_pending_authorize_request_and_an_antiforgery_token()
    {
        var driver = new OidcDriver(host);
        var consent = await ToConsentAsync(driver, driver.Params(TestClients.Consent));
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Browser.GetAsync("/consent")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Browser.GetAsync("/consent?returnUrl=%2Fadmin")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.Browser.GetAsync("/consent?returnUrl=https%3A%2F%2Fevil.example%2Fconnect%2Fauthorize")).StatusCode);
        var returnUrl = consent[(consent.IndexOf("returnUrl=", StringComparison.Ordinal) + 10)..];
        var forged = await driver.Browser.PostAsync(consent, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["returnUrl"] = Uri.UnescapeDataString(returnUrl),
            ["decision"] = "allow",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null(forged.Headers.Location);
    }

    [Fact]
    public async Task Consent_page_lets_its_form_end_wherever_the_client_redirects()
    {
        // Allow and Deny post to /consent, which redirects (through /connect/authorize) to the client's redirect URI,
        // which may redirect on to another origin or a custom scheme. Chromium holds every redirect of a form
        // submission to the page's form-action, so the consent page has none.
        var driver = new OidcDriver(host);
        var page = await driver.Browser.GetAsync(await ToConsentAsync(driver, driver.Params(TestClients.Consent, scope: "openid")));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.DoesNotContain("form-action", csp);
        Assert.Contains("default-src 'self';", csp);
    }

    internal static async Task<string> ToConsentAsync(OidcDriver driver, Dictionary<string, string> p)
    {
        var response = await driver.AuthorizeSignedInAsync(p);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/consent?returnUrl=", location);
        return location;
    }

    internal static async Task<HttpResponseMessage> DecideAsync(OidcDriver driver, string consentUrl, string decision)
    {
        var page = await driver.Browser.GetAsync(consentUrl);
        var document = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
        var form = document.QuerySelector("form")!;
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        fields["decision"] = decision;
        return await driver.Browser.PostAsync(consentUrl, new FormUrlEncodedContent(fields));
    }
}
