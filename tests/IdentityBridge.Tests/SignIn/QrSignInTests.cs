using System.Net;
using System.Text.Json;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

public sealed class QrSignInTests
{
    [Fact]
    public async Task Qr_sign_in_shows_the_code_and_deep_link_then_completes_into_a_session()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var wallet = XrplAddress.CreateRandom();

        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInKinds.Qr, request.Kind);
        Assert.Equal(SignInStatuses.Pending, request.Status);
        var payload = host.Simulator.FindPayload(request.PayloadUuid!)!;
        Assert.Equal("SignIn", payload.Draft.TxType);
        Assert.Equal(id, payload.Draft.CustomIdentifier);
        Assert.Contains("Sign in to IdentityBridge", payload.Draft.CustomInstruction, StringComparison.Ordinal);
        Assert.Equal("http://localhost/signin/qr/" + id, payload.Draft.ReturnUrlWeb);
        Assert.Null(payload.Draft.UserToken);
        Assert.False(payload.Pushed);

        var page = await browser.GetStringAsync(path);
        Assert.Contains("src=\"data:image/png;base64,", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"http://localhost/xumm-sim/sign/{request.PayloadUuid}\"", page, StringComparison.Ordinal);
        Assert.Contains("/js/signin-status.js", page, StringComparison.Ordinal);
        Assert.Contains($"data-status-url=\"/signin/status/{id}\"", page, StringComparison.Ordinal);
        Assert.Contains("<noscript>", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"/signin/complete/{id}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);

        var status = await StatusAsync(browser, id);
        Assert.Equal("pending", status.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("next").ValueKind);

        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        Assert.True(host.Simulator.Approve(request.PayloadUuid!, wallet).Succeeded);
        request = await signed;
        Assert.Equal(wallet, request.Wallet);
        Assert.Equal("MAINNET", request.Network);

        status = await StatusAsync(browser, id);
        Assert.Equal("signed", status.GetProperty("status").GetString());
        var next = status.GetProperty("next").GetString()!;
        using var done = await browser.GetAsync(next);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(SignInHost.DefaultReturnUrl, done.Headers.Location!.OriginalString);
        Assert.Contains(done.Headers.GetValues("Set-Cookie"), c => c.StartsWith(BridgeSession.CookieName + "=", StringComparison.Ordinal));

        var session = Assert.Single(await host.WithDbAsync(db => db.Sessions.AsNoTracking().ToListAsync()));
        Assert.Equal(wallet, session.Wallet);
        Assert.Equal(PayloadSignInMethods.Payload, session.Method);
        Assert.Equal("MAINNET", session.Network);
        Assert.Equal(SignInStatuses.Completed, (await host.RequestAsync(id)).Status);
        Assert.Equal(session.AccountId, (await host.RequestAsync(id)).AccountId);
        var audit = Assert.Single(await host.AuditAsync(AuditTypes.SignInSucceeded));
        Assert.Contains("xumm-payload", audit.Details, StringComparison.Ordinal);

        // The signature's user token is kept (encrypted) for the account and wallet.
        var token = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        Assert.Equal(session.AccountId, token.AccountId);
        Assert.Equal(wallet, token.Wallet);
        Assert.Equal(payload.IssuedUserToken is { } issued ? global::IdentityBridge.Federation.UserTokens.UserTokenStore.Hash(issued) : null, token.TokenHash);
        Assert.DoesNotContain(payload.IssuedUserToken!, token.ProtectedToken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_payload_follows_the_client_network_pin_and_the_login_hint_and_names_the_client()
    {
        await using var host = new SignInHost();
        var hint = XrplAddress.CreateRandom();
        var returnUrl = SignInHost.AuthorizeUrl(SignInHost.TestnetClient, loginHint: hint);

        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart(returnUrl));

        var request = await host.RequestAsync(id);
        Assert.Equal(SignInHost.TestnetClient, request.ClientId);
        var draft = host.Simulator.FindPayload(request.PayloadUuid!)!.Draft;
        Assert.Equal("TESTNET", draft.ForceNetwork?.Name);
        Assert.Equal([hint], draft.Signers);
        Assert.Equal("Sign in to App testnet-app", draft.CustomInstruction);
    }

    [Fact]
    public async Task Another_browser_can_neither_see_nor_complete_the_sign_in()
    {
        await using var host = new SignInHost();
        var owner = host.CreateBrowser();
        var stranger = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(owner, SignInHost.QrStart());
        var request = await host.RequestAsync(id);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/signin/status/" + id)).StatusCode);

        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve(request.PayloadUuid!, XrplAddress.CreateRandom());
        await signed;

        using var stolen = await stranger.GetAsync("/signin/complete/" + id);
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
        Assert.False(stolen.Headers.Contains("Set-Cookie"));
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
        Assert.Equal(SignInStatuses.Signed, (await host.RequestAsync(id)).Status);

        // The Xumm return URL brings the owner's browser back to the status page, which completes at once.
        using var back = await owner.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/signin/complete/" + id, back.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_binding_cookie_is_protected_httponly_and_scoped_to_signin()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        using var response = await SignInHost.SendStartAsync(browser, SignInHost.QrStart());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SignInCookies.BindingCookie + "=", StringComparison.Ordinal));
        var id = response.Headers.Location!.OriginalString.Split('/')[^1];

        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/signin", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(id, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_sign_in_cannot_be_used_again()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var request = await host.SignInByQrAsync(browser, XrplAddress.CreateRandom());

        using var again = await browser.GetAsync("/signin/complete/" + request.Id);

        Assert.True(again.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.NotFound);
        Assert.Single(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
    }

    [Fact]
    public async Task A_signature_left_unused_past_the_lifetime_of_its_request_starts_no_session()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var request = await host.RequestAsync(id);
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        Assert.True(host.Simulator.Approve(request.PayloadUuid!, XrplAddress.CreateRandom()).Succeeded);
        await signed;

        // The browser (or whoever holds its binding cookie) comes back an hour after the request ended.
        host.Clock.Advance(request.ExpiresAt - host.Clock.GetUtcNow() + TimeSpan.FromHours(1));
        using var late = await browser.GetAsync(SignInPaths.Complete + "/" + id);

        Assert.Equal(HttpStatusCode.Redirect, late.StatusCode);
        Assert.Equal(path, late.Headers.Location!.OriginalString);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
        Assert.Equal(SignInStatuses.Expired, (await host.RequestAsync(id)).Status);
        using var page = await browser.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"signin-ended\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_is_authenticated_when_the_wallet_signed_not_when_the_page_completed()
    {
        // OIDC Core §2: auth_time is when the authentication occurred, the signature in Xaman; the browser may
        // complete the sign-in minutes later, and a max_age must count from the signature.
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var request = await host.RequestAsync(id);
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        var signedAt = host.Clock.GetUtcNow();
        Assert.True(host.Simulator.Approve(request.PayloadUuid!, XrplAddress.CreateRandom()).Succeeded);
        await signed;

        host.Clock.Advance(TimeSpan.FromMinutes(3));
        using var complete = await browser.GetAsync(SignInPaths.Complete + "/" + id);

        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
        var session = Assert.Single(await host.WithDbAsync(db => db.Sessions.AsNoTracking().ToListAsync()));
        Assert.True((session.AuthTime - signedAt).Duration() < TimeSpan.FromSeconds(1), $"auth_time {session.AuthTime:o}, signed {signedAt:o}");
    }

    [Fact]
    public async Task Completing_before_the_signature_goes_back_to_the_waiting_page()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        using var early = await browser.GetAsync("/signin/complete/" + id);

        Assert.Equal(HttpStatusCode.Redirect, early.StatusCode);
        Assert.Equal(path, early.Headers.Location!.OriginalString);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
    }

    [Fact]
    public async Task A_declined_request_ends_on_a_clear_page_with_a_way_back()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart(SignInHost.AuthorizeUrl(SignInHost.WebClient)));
        var request = await host.RequestAsync(id);

        var rejected = host.WaitForStatusAsync(id, SignInStatuses.Rejected);
        host.Simulator.Reject(request.PayloadUuid!);
        await rejected;

        var status = await StatusAsync(browser, id);
        Assert.Equal("rejected", status.GetProperty("status").GetString());
        var page = await browser.GetStringAsync(path);
        Assert.Contains("Sign-in declined", page, StringComparison.Ordinal);
        Assert.Contains("Try again", page, StringComparison.Ordinal);
        Assert.Contains("Back to App web", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data:image/png", page, StringComparison.Ordinal);

        // "Back to the application" ends the authorize request with access_denied at the client.
        using var abort = await browser.PostAsync(path + "?handler=abort",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = SignInHost.Antiforgery(page) }));
        Assert.Equal(HttpStatusCode.Redirect, abort.StatusCode);
        var location = abort.Headers.Location!;
        Assert.StartsWith(SignInHost.RedirectUri + "?", location.OriginalString, StringComparison.Ordinal);
        Assert.Contains("error=access_denied", location.OriginalString, StringComparison.Ordinal);
        Assert.Contains("state=state-1", location.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_pages_of_an_authorize_request_let_their_forms_end_wherever_the_client_redirects()
    {
        // "Back to the application" (and the no-script "continue") end in a redirect to the client's redirect URI,
        // which may redirect on to another origin. Chromium holds every redirect of a form submission to the page's
        // form-action, so these pages have none.
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart(SignInHost.AuthorizeUrl(SignInHost.WebClient)));
        var waiting = await browser.GetAsync(path);
        Assert.DoesNotContain("form-action", string.Join(' ', waiting.Headers.GetValues("Content-Security-Policy")));

        var request = await host.RequestAsync(id);
        var rejected = host.WaitForStatusAsync(id, SignInStatuses.Rejected);
        host.Simulator.Reject(request.PayloadUuid!);
        await rejected;
        var ended = await browser.GetAsync(path);
        Assert.Contains("Sign-in declined", await ended.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("form-action", string.Join(' ', ended.Headers.GetValues("Content-Security-Policy")));

        // A sign-in that returns to a page of the bridge keeps its forms on the bridge.
        var own = host.CreateBrowser();
        var (ownPath, _) = await SignInHost.StartAsync(own, SignInHost.QrStart());
        Assert.Contains("form-action 'self';", string.Join(' ', (await own.GetAsync(ownPath)).Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task An_expired_payload_ends_on_a_clear_page()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var request = await host.RequestAsync(id);

        var expired = host.WaitForStatusAsync(id, SignInStatuses.Expired);
        host.Simulator.Expire(request.PayloadUuid!);
        await expired;

        var page = await browser.GetStringAsync(path);
        Assert.Contains("Sign-in expired", page, StringComparison.Ordinal);
        // "Try again" posts a new start for the same return URL (one click, as before).
        var (action, fields) = SignInHost.Form(page, "signin-retry");
        Assert.Equal(SignInPaths.Qr, action);
        Assert.Equal(SignInHost.DefaultReturnUrl, fields["returnUrl"]);
        using var retry = await browser.PostAsync(action, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, retry.StatusCode);
        Assert.NotEqual(path, retry.Headers.Location!.OriginalString);
        Assert.Equal(2, host.Simulator.Payloads().Count);
    }

    [Fact]
    public async Task Cancel_cancels_the_payload_and_shows_it()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var page = await browser.GetStringAsync(path);

        using var cancel = await browser.PostAsync(path + "?handler=cancel",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = SignInHost.Antiforgery(page) }));

        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInStatuses.Cancelled, request.Status);
        Assert.True(host.Simulator.FindPayload(request.PayloadUuid!)!.Cancelled);
        Assert.Contains("Sign-in cancelled", await browser.GetStringAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_without_the_antiforgery_token_is_refused()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        using var cancel = await browser.PostAsync(path + "?handler=cancel", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, cancel.StatusCode);
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
    }

    [Fact]
    public async Task Reloading_the_start_link_resumes_the_open_request_instead_of_creating_payloads()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();

        var first = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var second = await SignInHost.StartAsync(browser, SignInHost.QrStart());

        Assert.Equal(first.Id, second.Id);
        Assert.Single(host.Simulator.Payloads());
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task A_foreign_return_url_is_refused(string returnUrl)
    {
        await using var host = new SignInHost();
        using var response = await host.CreateBrowser().GetAsync(SignInHost.QrStart(returnUrl));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(host.Simulator.Payloads());
    }

    [Fact]
    public async Task A_wallet_without_an_account_under_allow_list_ends_without_a_session()
    {
        await using var host = new SignInHost();
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart(SignInHost.AuthorizeUrl(SignInHost.AllowListClient)));
        var request = await host.RequestAsync(id);
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve(request.PayloadUuid!, XrplAddress.CreateRandom());
        await signed;

        using var done = await browser.GetAsync("/signin/complete/" + id);

        Assert.Equal(path, done.Headers.Location!.OriginalString);
        Assert.Equal(SignInStatuses.Failed, (await host.RequestAsync(id)).Status);
        Assert.Contains("No account for this wallet", await browser.GetStringAsync(path), StringComparison.Ordinal);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
        Assert.Equal("not_enrolled", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).Reason);
    }

    [Fact]
    public async Task A_signature_whose_signed_blob_does_not_verify_ends_on_the_failure_page_without_a_session()
    {
        await using var host = new SignInHost();
        host.Simulator.UpdateFaults(f => f with { ForgedSignIn = true });
        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var request = await host.RequestAsync(id);

        var failed = host.WaitForStatusAsync(id, SignInStatuses.Failed);
        Assert.True(host.Simulator.Approve(request.PayloadUuid!, XrplAddress.CreateRandom()).Succeeded);
        await failed;

        using var done = await browser.GetAsync("/signin/complete/" + id);
        Assert.Equal(path, done.Headers.Location!.OriginalString);
        var page = await browser.GetStringAsync(path);
        Assert.Contains("The signature was not accepted", page, StringComparison.Ordinal);
        Assert.Contains("The signature does not verify.", page, StringComparison.Ordinal);
        Assert.Empty(await host.WithDbAsync(db => db.Sessions.ToListAsync()));
        Assert.Equal("The signature does not verify.", Assert.Single(await host.WaitForAuditAsync(SignInAuditTypes.PayloadRefused)).Reason);
    }

    [Fact]
    public async Task A_refused_payload_that_several_looks_find_at_once_is_audited_once()
    {
        // A webhook, the follower, polling and the browser may look at one payload at the same moment, on one node
        // or several: only the look that moves the request audits the refusal, or the trail would count it twice.
        await using var host = new SignInHost { RefuseWebSockets = true };
        host.Settings["Xumm:Payload:MaxFollowedPayloads"] = "0";
        host.Simulator.UpdateFaults(f => f with { ForgedSignIn = true });
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        // The platform answers each look only after a while and reads the payload then: looks made before the
        // signature (and before its webhook's) all find it signed, at about the same moment.
        host.Simulator.UpdateFaults(f => f with { DelayMs = 500 });
        var looks = Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PayloadResolver>().ResolveAsync(uuid, null, CancellationToken.None);
        }).ToList();
        Assert.True(host.Simulator.Approve(uuid, XrplAddress.CreateRandom()).Succeeded);
        await Task.WhenAll(looks);

        Assert.Equal(SignInStatuses.Failed, (await host.RequestAsync(id)).Status);
        Assert.Equal("The signature does not verify.", Assert.Single(await host.AuditAsync(SignInAuditTypes.PayloadRefused)).Reason);
    }

    [Fact]
    public async Task A_regular_key_signature_signs_in_and_is_audited_with_the_key_while_a_master_key_is_not()
    {
        await using var host = new SignInHost();
        var regular = XrplAddress.CreateRandom();
        var master = host.Simulator.CreateWallet(XummSimulator.Model.SimulatedKeyType.Ed25519).Address;

        await host.SignInByQrAsync(host.CreateBrowser(), regular);
        await host.SignInByQrAsync(host.CreateBrowser(), master);

        var audit = Assert.Single(await host.AuditAsync(SignInAuditTypes.RegularKeySignature));
        Assert.Equal(regular, audit.Actor);
        Assert.Equal(SignInAuditTypes.RegularKeySignature, audit.Type);
        Assert.Contains("\"key\":\"r", audit.Details, StringComparison.Ordinal);
        Assert.False(host.Simulator.FindWallet(regular)!.MasterKey);
        Assert.Equal(2, (await host.AuditAsync(AuditTypes.SignInSucceeded)).Count);
    }

    [Fact]
    public async Task With_regular_keys_refused_a_regular_key_signature_is_refused_once_while_a_master_key_signs_in()
    {
        await using var host = new SignInHost();
        host.Settings["Xumm:Payload:RegularKeySignatures"] = "Refuse";
        var master = host.Simulator.CreateWallet(XummSimulator.Model.SimulatedKeyType.Ed25519).Address;
        await host.SignInByQrAsync(host.CreateBrowser(), master);

        var browser = host.CreateBrowser();
        var (path, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var regular = XrplAddress.CreateRandom();
        var failed = host.WaitForStatusAsync(id, SignInStatuses.Failed);
        Assert.True(host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, regular).Succeeded);
        await failed;

        using var done = await browser.GetAsync("/signin/complete/" + id);
        Assert.Equal(path, done.Headers.Location!.OriginalString);
        Assert.Contains("The signature was not accepted", await browser.GetStringAsync(path), StringComparison.Ordinal);
        var refused = Assert.Single(await host.WaitForAuditAsync(SignInAuditTypes.PayloadRefused));
        Assert.Contains("regular key", refused.Reason, StringComparison.Ordinal);
        Assert.Contains(regular, refused.Details, StringComparison.Ordinal);
        Assert.Empty(await host.AuditAsync(SignInAuditTypes.RegularKeySignature));
        Assert.Single(await host.AuditAsync(AuditTypes.SignInSucceeded)); // the master key's
    }

    [Fact]
    public async Task Without_a_websocket_the_status_endpoint_polls_at_most_every_three_seconds_and_not_while_rate_limited()
    {
        await using var host = new SignInHost { RefuseWebSockets = true };
        host.Settings["Xumm:Payload:PollInterval"] = "00:00:03";
        host.Settings["Xumm:Payload:MaxFollowedPayloads"] = "0"; // no background follower competing for the gate
        host.MoreServices = services => services.PostConfigure<XummSimulator.XummSimulatorOptions>(o => o.ApiCallsPerMinute = 3);
        // The simulator counts calls in fixed one-minute windows: start early in one so the three calls share it.
        var now = host.Clock.GetUtcNow();
        host.Clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMinute - now.UtcTicks % TimeSpan.TicksPerMinute) + TimeSpan.FromSeconds(1));
        var browser = host.CreateBrowser();
        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart()); // platform call 1
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        var gate = host.Services.GetRequiredService<PayloadPollGate>();

        await StatusAsync(browser, id);                                            // call 2: polled
        Assert.False(gate.TryEnter(uuid));
        host.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(gate.TryEnter(uuid));
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await StatusAsync(browser, id);                                            // call 3: quota now exhausted
        host.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.False(gate.TryEnter(uuid));                                         // held back by the rate limit
        host.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.True(gate.TryEnter(uuid));
        Assert.False(gate.TryEnter(uuid));
    }

    internal static async Task<JsonElement> StatusAsync(HttpClient browser, string id)
    {
        using var response = await browser.GetAsync("/signin/status/" + id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
