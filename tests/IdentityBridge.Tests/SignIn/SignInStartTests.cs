using System.Net;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// A start link only offers the sign-in: any page on the web can make its visitors' browsers open a link (an image,
/// a frame, a prefetch), and each payload counts against the application's small quota at Xumm. The payload is
/// created by the POST of the page's own form, which carries its antiforgery token.
/// </summary>
public sealed class SignInStartTests
{
    [Theory]
    [InlineData("/signin/qr")]
    [InlineData("/signin/push")]
    public async Task Opening_a_start_link_creates_nothing_and_shows_a_form_that_posts_the_start(string start)
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var returnUrl = SignInHost.AuthorizeUrl(SignInHost.WebClient);
        var forceQr = start == SignInPaths.Qr;
        var link = start + "?returnUrl=" + Uri.EscapeDataString(returnUrl) + "&login_hint=" + wallet + (forceQr ? "&qr=1" : "");

        using var response = await host.CreateBrowser().GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Sign in to App web", page, StringComparison.Ordinal);
        Assert.Contains("Continue with Xumm", page, StringComparison.Ordinal);
        var (action, fields) = SignInHost.Form(page, SignInHost.StartFormId);
        Assert.Equal(start, action);
        Assert.Contains("method=\"post\"", page, StringComparison.Ordinal);
        Assert.Equal(returnUrl, fields["returnUrl"]);
        Assert.Equal(wallet, fields["login_hint"]);
        Assert.Equal(forceQr ? "1" : null, fields.GetValueOrDefault("qr"));
        Assert.NotEmpty(fields["__RequestVerificationToken"]);
        Assert.Empty(host.Simulator.Payloads());
        Assert.Empty(await host.WithDbAsync(db => db.SignInRequests.ToListAsync()));
    }

    [Theory]
    [InlineData("/signin/qr")]
    [InlineData("/signin/push")]
    public async Task A_start_without_a_valid_antiforgery_token_is_refused_and_creates_nothing(string start)
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        using var opened = await browser.GetAsync(start + "?returnUrl=%2Faccount");
        var (action, fields) = SignInHost.Form(await opened.Content.ReadAsStringAsync(), SignInHost.StartFormId);
        var token = fields["__RequestVerificationToken"];

        fields.Remove("__RequestVerificationToken");
        using var missing = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        fields["__RequestVerificationToken"] = token[..^4] + "AAAA";
        using var forged = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        // A token of this page is worth nothing without this browser's antiforgery cookie (a cross-site form).
        fields["__RequestVerificationToken"] = token;
        using var foreign = await host.CreateBrowser().PostAsync(action, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Empty(host.Simulator.Payloads());
        Assert.Empty(await host.WithDbAsync(db => db.SignInRequests.ToListAsync()));

        // The same form with its token starts the sign-in.
        using var sent = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        Assert.StartsWith("/signin/qr/", sent.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Single(host.Simulator.Payloads());
    }

    [Fact]
    public async Task The_posted_start_shows_the_qr_code_and_completes_into_a_session()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        using var opened = await browser.GetAsync(SignInHost.QrStart());
        var (action, fields) = SignInHost.Form(await opened.Content.ReadAsStringAsync(), SignInHost.StartFormId);

        using var sent = await browser.PostAsync(action, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var path = sent.Headers.Location!.OriginalString;
        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var id = path.Split('/')[^1];
        var request = await host.RequestAsync(id);
        Assert.Equal(request.PayloadUuid, Assert.Single(host.Simulator.Payloads()).Uuid);
        Assert.Contains("src=\"data:image/png;base64,", await browser.GetStringAsync(path), StringComparison.Ordinal);

        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        Assert.True(host.Simulator.Approve(request.PayloadUuid!, wallet).Succeeded);
        await signed;
        using var done = await browser.GetAsync(SignInPaths.Complete + "/" + id);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(SignInHost.DefaultReturnUrl, done.Headers.Location!.OriginalString);
        Assert.Contains(done.Headers.GetValues("Set-Cookie"), c => c.StartsWith(BridgeSession.CookieName + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_returning_browser_posting_the_push_start_gets_a_push()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);
        var before = host.Simulator.Payloads().Count;

        using var opened = await browser.GetAsync("/signin/push?returnUrl=%2Faccount");
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal(before, host.Simulator.Payloads().Count);
        var (action, fields) = SignInHost.Form(await opened.Content.ReadAsStringAsync(), SignInHost.StartFormId);
        using var sent = await browser.PostAsync(action, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var path = sent.Headers.Location!.OriginalString;
        Assert.StartsWith("/signin/push/", path, StringComparison.Ordinal);
        var request = await host.RequestAsync(path.Split('/')[^1]);
        Assert.True(host.Simulator.FindPayload(request.PayloadUuid!)!.Pushed);
        Assert.Equal(before + 1, host.Simulator.Payloads().Count);
    }

    [Fact]
    public async Task Opening_the_start_link_again_resumes_the_pending_request_at_once()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, _) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        using var again = await browser.GetAsync(SignInHost.QrStart());

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(path, again.Headers.Location!.OriginalString);
        Assert.Single(host.Simulator.Payloads());
    }
}
