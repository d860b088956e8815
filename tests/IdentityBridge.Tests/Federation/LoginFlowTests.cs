using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Federation;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Federation;

public sealed class LoginFlowTests
{
    [Fact]
    public async Task Login_goes_through_the_simulator_and_the_callback_and_ends_in_a_session()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();

        var hops = await FederationHost.FollowAsync(browser, FederationHost.LoginUrl("/account"));

        Assert.Equal(["/login", "/xumm-sim/auth", "/signin-xumm", "/account"], hops.Select(h => h.Url.AbsolutePath));
        var authorize = hops[1];
        Assert.Equal(BridgeFactory.XummApiKey, authorize.Query["client_id"].ToString());
        Assert.Equal("http://localhost/signin-xumm", authorize.Query["redirect_uri"].ToString());
        Assert.Equal("openid", authorize.Query["scope"].ToString());
        Assert.Equal("code", authorize.Query["response_type"].ToString());
        Assert.Equal("S256", authorize.Query["code_challenge_method"].ToString());
        Assert.False(string.IsNullOrEmpty(authorize.Query["state"].ToString()));
        Assert.False(string.IsNullOrEmpty(authorize.Query["nonce"].ToString()));
        Assert.False(authorize.Query.ContainsKey("client_secret"));
        Assert.False(authorize.Query.ContainsKey("force_network"));
        Assert.False(authorize.Query.ContainsKey("signers"));

        // Xumm's quirk: the code comes twice. The handler copes with it, with id_token == access_token,
        // refresh_token "" and token_type "bearer" in the token response the simulator sends next.
        var callback = hops[2];
        Assert.Equal(callback.Query["code"].ToString(), callback.Query["authorization_code"].ToString());
        Assert.Equal(HttpStatusCode.Redirect, callback.Status);
        Assert.Equal(HttpStatusCode.OK, hops[3].Status);
        Assert.Contains(BridgeFactory.DefaultWallet, hops[3].Body, StringComparison.Ordinal);

        var session = Assert.Single(await host.SessionsAsync());
        Assert.Equal(BridgeFactory.DefaultWallet, session.Wallet);
        Assert.Equal("MAINNET", session.Network);
        Assert.Equal(XummSignIn.Method, session.Method);
        var succeeded = Assert.Single(await host.AuditAsync(AuditTypes.SignInSucceeded));
        Assert.Equal(session.AccountId, succeeded.AccountId);
        Assert.Equal(BridgeFactory.DefaultWallet, succeeded.Actor);
    }

    [Fact]
    public async Task The_callback_sets_the_session_cookie_and_removes_the_correlation_cookie_and_keeps_no_external_principal()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        var callback = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(), "/signin-xumm");

        using var response = await browser.GetAsync(callback);

        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith(BridgeSession.CookieName + "=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        var correlation = Assert.Single(cookies, c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", correlation, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, cookies.Count);
    }

    [Fact]
    public async Task The_return_url_is_followed_after_the_login()
    {
        await using var host = new FederationHost();
        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl("/account?tab=wallets"));
        Assert.Equal("/account?tab=wallets", hops[2].Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example/")]
    [InlineData("/\t/evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("account")]
    public async Task A_return_url_that_is_not_a_local_path_is_refused_before_anything_starts(string returnUrl)
    {
        await using var host = new FederationHost();
        var hop = await FederationHost.GetAsync(host.CreateBrowser(), new Uri(new Uri(BridgeFactory.Issuer), FederationHost.LoginUrl(returnUrl)));

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.Null(hop.Location);
        Assert.Contains("not valid", hop.Body, StringComparison.Ordinal);
        Assert.Empty(host.Simulator.Payloads());
    }

    [Fact]
    public async Task A_replayed_callback_is_refused_in_the_same_browser_and_in_another_one()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        var callback = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(), "/signin-xumm");
        var first = await FederationHost.GetAsync(browser, callback);
        Assert.Equal("/account", first.Location!.AbsolutePath);

        var again = await FederationHost.GetAsync(browser, callback);
        var elsewhere = await FederationHost.GetAsync(host.CreateBrowser(), callback);

        foreach (var replay in new[] { again, elsewhere })
        {
            Assert.Equal(XummSignIn.ErrorPath, replay.Location!.AbsolutePath);
            Assert.Equal("invalid_state", replay.LocationQuery["reason"].ToString());
        }
        Assert.Single(await host.SessionsAsync());
        Assert.Equal(2, (await host.AuditAsync(AuditTypes.SignInFailed)).Count(e => e.Reason == "invalid_state"));

        var page = await FederationHost.GetAsync(browser, again.Location!);
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("already used", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_with_a_forged_state_is_refused()
    {
        await using var host = new FederationHost();
        var hop = await FederationHost.GetAsync(host.CreateBrowser(), new Uri("http://localhost/signin-xumm?code=abc&authorization_code=abc&state=forged"));
        Assert.Equal(XummSignIn.ErrorPath, hop.Location!.AbsolutePath);
        Assert.Equal("invalid_state", hop.LocationQuery["reason"].ToString());
        Assert.Empty(await host.SessionsAsync());
    }

    [Fact]
    public async Task A_flood_of_callbacks_with_forged_state_writes_a_bounded_number_of_audit_events_and_real_failures_all()
    {
        await using var host = new FederationHost();
        for (var i = 0; i < 30; i++)
        {
            var hop = await FederationHost.GetAsync(host.CreateBrowser(), new Uri($"http://localhost/signin-xumm?code=abc&authorization_code=abc&state=forged{i}"));
            Assert.Equal("invalid_state", hop.LocationQuery["reason"].ToString());
        }
        var forged = await host.AuditAsync(AuditTypes.SignInFailed);
        Assert.InRange(forged.Count, 1, 5);
        Assert.All(forged, e => Assert.Equal(AuditLog.AnonymousActor, e.Actor));

        // A failure of a sign-in this bridge started (its state is genuine) is always audited, even now.
        host.Simulator.SetAutoApprove(null);
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());
        var payload = Assert.Single(host.Simulator.Payloads(), p => !p.Resolved);
        host.Simulator.Reject(payload.Uuid);
        await FederationHost.FollowAsync(browser, $"/xumm-sim/auth/continue?payload={payload.Uuid}");
        Assert.Equal(forged.Count + 1, (await host.AuditAsync(AuditTypes.SignInFailed)).Count);
    }

    [Fact]
    public async Task An_r_address_login_hint_becomes_the_signers_parameter_and_binds_the_signing_wallet()
    {
        await using var host = new FederationHost();
        var other = IdentityBridge.Xumm.XrplAddress.CreateRandom();

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl("/account", loginHint: other));

        Assert.Equal(other, hops[1].Query["signers"].ToString());
        // The simulator approves as the default wallet, which is not among the allowed signers: Xumm refuses.
        Assert.Equal(XummSignIn.ErrorPath, hops[^1].Url.AbsolutePath);
        Assert.Equal("cancelled", hops[^1].Query["reason"].ToString());
        Assert.Empty(await host.SessionsAsync());
    }

    [Fact]
    public async Task A_login_hint_that_is_not_an_r_address_is_not_sent_upstream()
    {
        await using var host = new FederationHost();
        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl("/account", loginHint: "alice@example.com"));
        Assert.False(hops[1].Query.ContainsKey("signers"));
        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
    }

    [Fact]
    public async Task The_login_hint_of_the_resumed_authorize_request_is_used_when_login_has_none()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("hinted");
        var returnUrl = FederationHost.AuthorizeReturnUrl("hinted", loginHint: BridgeFactory.DefaultWallet);
        var authorize = await FederationHost.FollowUntilAsync(host.CreateBrowser(), FederationHost.LoginUrl(returnUrl), "/xumm-sim/auth");
        Assert.Contains("signers=" + BridgeFactory.DefaultWallet, authorize.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_synthetic_xumm_email_is_never_stored_nor_shown()
    {
        await using var host = new FederationHost();
        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal(HttpStatusCode.OK, hops[^1].Status);

        var account = await host.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        Assert.Null(account.Email);
        Assert.False(account.EmailVerified);
        var audit = await host.AuditAsync(AuditTypes.SignInSucceeded);
        Assert.DoesNotContain(audit, e => (e.Details ?? "").Contains("@xumm.me", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(host.Responses.Responses, r => r.Contains("@xumm.me", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("@xumm.me", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Profile_hints_from_userinfo_reach_the_account()
    {
        await using var host = new FederationHost();
        var wallet = IdentityBridge.Xumm.XrplAddress.CreateRandom();
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::XummSimulator.XummSimulatorOptions>>().Value;
        options.KycApproved.Add(wallet);
        host.Simulator.SetAutoApprove(wallet);

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal(HttpStatusCode.OK, hops[^1].Status);
        var account = await host.WithDbAsync(db => db.Accounts.AsNoTracking().SingleAsync());
        Assert.True(account.KycApproved);
        Assert.EndsWith("/avatar/" + wallet + ".png", account.Picture, StringComparison.Ordinal);
    }

    private static readonly string ForgedClientId = "x\n12:00:00 warn: IdentityBridge.Audit.AuditLog[0] Audit admin.role_granted actor=SYSTEM" + new string('y', 6000);

    [Fact]
    public async Task A_return_url_naming_an_unregistered_client_records_no_client_in_the_audit_trail()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("known-app");

        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl(ForgedClientId)));
        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("known-app")));

        var succeeded = await host.AuditAsync(AuditTypes.SignInSucceeded);
        Assert.Equal(2, succeeded.Count);
        Assert.Null(succeeded[0].ClientId);
        Assert.Equal("known-app", succeeded[1].ClientId);
    }

    [Fact]
    public async Task A_failed_login_for_an_unregistered_client_records_no_client_in_the_audit_trail()
    {
        await using var host = new FederationHost();
        host.Settings["Bridge:Provisioning"] = "AllowList";
        host.Simulator.SetAutoApprove(IdentityBridge.Xumm.XrplAddress.CreateRandom());

        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl(ForgedClientId)));

        var failed = Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed));
        Assert.Equal("not_enrolled", failed.Reason);
        Assert.Null(failed.ClientId);
    }
}
