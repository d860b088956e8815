using System.Net;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

public sealed class PushSignInTests
{
    [Fact]
    public async Task A_returning_browser_gets_a_push_and_a_check_your_phone_page()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);

        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        Assert.StartsWith("/signin/push/", path, StringComparison.Ordinal);
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInKinds.Push, request.Kind);
        var payload = host.Simulator.FindPayload(request.PayloadUuid!)!;
        Assert.True(payload.Pushed);
        var live = Assert.Single(host.Simulator.UserTokens(), t => t.Account == wallet);
        Assert.Equal(live.Token, payload.Draft.UserToken);

        var page = await browser.GetStringAsync(path);
        Assert.Contains("Check your phone", page, StringComparison.Ordinal);
        Assert.Contains("Use a QR code instead", page, StringComparison.Ordinal);
        Assert.DoesNotContain(live.Token, page, StringComparison.Ordinal);
        var (action, fields) = SignInHost.Form(page, "signin-qr-instead");
        Assert.Equal(SignInPaths.Qr, action);
        Assert.Equal("1", fields["qr"]);
        Assert.Equal(SignInHost.DefaultReturnUrl, fields["returnUrl"]);

        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve(request.PayloadUuid!, wallet);
        await signed;
        using var done = await browser.GetAsync(SignInPaths.Complete + "/" + id);
        Assert.Equal(SignInHost.DefaultReturnUrl, done.Headers.Location!.OriginalString);
        var sessions = await host.WithDbAsync(db => db.Sessions.AsNoTracking().OrderBy(s => s.AuthTime).ToListAsync());
        Assert.Equal(PayloadSignInMethods.Push, sessions[^1].Method);
    }

    [Fact]
    public async Task An_r_address_login_hint_alone_gets_a_qr_code_pinned_to_that_wallet_and_no_push()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);

        var (path, id) = await SignInHost.StartAsync(host.CreateBrowser(), "/signin/push?returnUrl=%2Faccount&login_hint=" + wallet);

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInKinds.Qr, request.Kind);
        var payload = host.Simulator.FindPayload(request.PayloadUuid!)!;
        Assert.Null(payload.Draft.UserToken);
        Assert.False(payload.Pushed);
        Assert.Equal([wallet], payload.Draft.Signers);
    }

    [Fact]
    public async Task A_browser_that_remembers_one_wallet_cannot_push_to_another_by_its_login_hint()
    {
        await using var host = new SignInHost();
        var victim = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), victim);
        var attacker = host.CreateBrowser();
        await host.SignInByQrAsync(attacker, XrplAddress.CreateRandom());

        var (path, id) = await SignInHost.StartAsync(attacker,
            SignInHost.QrStart(returnUrl: SignInHost.AuthorizeUrl(SignInHost.WebClient, loginHint: victim)));

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        Assert.Null(host.Simulator.FindPayload((await host.RequestAsync(id)).PayloadUuid!)!.Draft.UserToken);
    }

    [Fact]
    public async Task Pushes_to_one_wallet_are_limited_and_beyond_the_limit_the_qr_code_is_shown()
    {
        await using var host = new SignInHost();
        host.Settings["Bridge:RateLimits:Enabled"] = "true";
        host.Settings["Bridge:RateLimits:PushesPerWalletPerHour"] = "2";
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);

        var kinds = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart(returnUrl: "/account?attempt=" + i));
            kinds.Add((await host.RequestAsync(id)).Kind);
        }

        Assert.Equal([SignInKinds.Push, SignInKinds.Push, SignInKinds.Qr], kinds);
        Assert.Equal(2, host.Simulator.Payloads().Count(p => p.Pushed));
    }

    [Fact]
    public async Task The_remembered_wallet_cookie_is_protected_and_httponly()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, wallet);
        await signed;

        using var done = await browser.GetAsync(SignInPaths.Complete + "/" + id);

        var cookie = Assert.Single(done.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SignInCookies.WalletCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/signin", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(wallet, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_revoked_in_the_app_falls_back_to_the_qr_code_at_once_and_is_dropped()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);
        var token = Assert.Single(host.Simulator.UserTokens(), t => t.Account == wallet);
        Assert.True(host.Simulator.RevokeUserToken(token.Token));

        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInKinds.Qr, request.Kind);
        var payload = host.Simulator.FindPayload(request.PayloadUuid!)!;
        Assert.Equal(token.Token, payload.Draft.UserToken);   // the push was tried...
        Assert.False(payload.Pushed);                          // ...and not delivered: its QR code is shown instead
        Assert.Equal(2, host.Simulator.Payloads().Count);             // no second payload for the fallback
        var stored = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        Assert.NotNull(stored.RevokedAt);
        Assert.Single(await host.AuditAsync(SignInAuditTypes.UserTokenDropped));
        Assert.Contains("data:image/png", await browser.GetStringAsync(path), StringComparison.Ordinal);

        // Next time there is no live token: straight to a QR code, no push attempt.
        var (_, second) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart(loginHint: wallet));
        Assert.Null(host.Simulator.FindPayload((await host.RequestAsync(second)).PayloadUuid!)!.Draft.UserToken);
    }

    [Fact]
    public async Task An_expired_token_is_not_used()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        host.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));

        var (path, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart(loginHint: wallet));

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        Assert.Null(host.Simulator.FindPayload((await host.RequestAsync(id)).PayloadUuid!)!.Draft.UserToken);
    }

    [Fact]
    public async Task Use_a_qr_code_instead_cancels_the_push_and_shows_a_qr_code()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);
        var (pushPath, pushId) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var (action, fields) = SignInHost.Form(await browser.GetStringAsync(pushPath), "signin-qr-instead");

        using var pressed = await browser.PostAsync(action, new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.Redirect, pressed.StatusCode);
        var path = pressed.Headers.Location!.OriginalString;
        var qrId = path.Split('/')[^1];

        Assert.NotEqual(pushId, qrId);
        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var push = await host.RequestAsync(pushId);
        Assert.Equal(SignInStatuses.Cancelled, push.Status);
        Assert.True(host.Simulator.FindPayload(push.PayloadUuid!)!.Cancelled);
        Assert.Null(host.Simulator.FindPayload((await host.RequestAsync(qrId)).PayloadUuid!)!.Draft.UserToken);
    }

    [Fact]
    public async Task Each_signature_moves_the_token_expiry_to_thirty_days_after_it()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(browser, wallet);
        var first = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));

        host.Clock.Advance(TimeSpan.FromDays(10));
        var signedAt = host.Clock.GetUtcNow();
        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, wallet);
        await signed;

        var renewed = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        Assert.Equal(first.TokenHash, renewed.TokenHash);
        Assert.True(renewed.ExpiresAt >= signedAt + TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1), $"{renewed.ExpiresAt} vs {signedAt}");
        Assert.True(renewed.ExpiresAt > first.ExpiresAt + TimeSpan.FromDays(9));
    }

    [Fact]
    public async Task The_sweep_drops_tokens_the_platform_reports_inactive()
    {
        await using var host = new SignInHost();
        var revoked = XrplAddress.CreateRandom();
        var kept = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), revoked);
        await host.SignInByQrAsync(host.CreateBrowser(), kept);
        host.Simulator.RevokeUserToken(host.Simulator.UserTokens().Single(t => t.Account == revoked).Token);

        var dropped = 0;
        await host.WithScopeAsync(async sp =>
            dropped = await sp.GetRequiredService<UserTokenStore>().SweepAsync(sp.GetRequiredService<XummPlatformClient>(), CancellationToken.None));

        Assert.Equal(1, dropped);
        var tokens = await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync());
        Assert.NotNull(tokens.Single(t => t.Wallet == revoked).RevokedAt);
        Assert.Null(tokens.Single(t => t.Wallet == kept).RevokedAt);
    }
}
