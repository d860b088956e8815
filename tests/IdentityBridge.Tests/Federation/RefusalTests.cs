using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Federation;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Federation;

/// <summary>Sign-ins Xumm completed but the bridge refuses, and sign-ins the user cancelled.</summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task A_blocked_wallet_is_refused_with_a_clear_page()
    {
        await using var host = new FederationHost();
        host.Simulator.BlockAccount(BridgeFactory.DefaultWallet);

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        var page = hops[^1];
        Assert.Equal(XummSignIn.ErrorPath, page.Url.AbsolutePath);
        Assert.Equal("blocked", page.Query["reason"].ToString());
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("This wallet is on a blocklist", page.Body, StringComparison.Ordinal);
        Assert.Contains(page.Query["ref"].ToString(), page.Body, StringComparison.Ordinal);
        Assert.Empty(await host.SessionsAsync());
        Assert.Empty(await host.WithDbAsync(db => db.Accounts.ToListAsync()));
        var failed = Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed));
        Assert.Equal("blocked", failed.Reason);
        Assert.Equal(BridgeFactory.DefaultWallet, failed.Actor);
        Assert.False(failed.Success);
        Assert.Equal(page.Query["ref"].ToString(), failed.RequestId);
    }

    [Fact]
    public async Task A_blocked_wallet_ends_a_client_login_with_access_denied()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("app");
        host.Simulator.BlockAccount(BridgeFactory.DefaultWallet);

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("app")));

        Assert.Equal("/signin-xumm", hops[^1].Url.AbsolutePath);
        FederationHost.AssertClientError(hops[^1], "access_denied", "This wallet is on a blocklist");
        Assert.Equal("app", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).ClientId);
    }

    [Fact]
    public async Task A_client_that_requires_a_network_pins_it_and_the_pin_holds_against_the_simulators_default()
    {
        await using var host = new FederationHost();
        host.Settings["Xumm:Simulator:Network"] = "TESTNET";
        await host.AddClientAsync("mainnet-app", requiredNetwork: "MAINNET");
        var returnUrl = FederationHost.AuthorizeReturnUrl("mainnet-app");

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(returnUrl));

        Assert.Equal("MAINNET", hops[1].Query["force_network"].ToString());
        var callback = Assert.Single(hops, h => h.Url.AbsolutePath == "/signin-xumm");
        Assert.Equal(returnUrl, callback.Location!.PathAndQuery);
        Assert.Equal("MAINNET", Assert.Single(await host.SessionsAsync()).Network);
    }

    [Fact]
    public async Task A_wallet_that_signed_on_another_network_than_the_client_requires_is_refused()
    {
        await using var host = new FederationHost();
        host.Settings["Xumm:Simulator:Network"] = "TESTNET";
        await host.AddClientAsync("mainnet-app", requiredNetwork: "mainnet");
        var browser = host.CreateBrowser();
        var authorize = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("mainnet-app")), "/xumm-sim/auth");

        // The user (or anyone between) drops force_network, so the wallet signs on the simulator's TESTNET.
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("MAINNET", query["force_network"].ToString());
        query.Remove("force_network");
        var tampered = QueryHelpers.AddQueryString(authorize.GetLeftPart(UriPartial.Path), query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString()));
        var hops = await FederationHost.FollowAsync(browser, tampered);

        FederationHost.AssertClientError(hops[^1], "access_denied", "The wallet signed on TESTNET, but this application requires MAINNET.");
        Assert.Empty(await host.SessionsAsync());
        Assert.Equal("wrong_network", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).Reason);
    }

    [Fact]
    public async Task A_wallet_other_than_the_login_hint_is_refused_even_when_xumm_does_not_enforce_signers()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("app");
        host.Simulator.UpdateFaults(f => f with { IgnoreSigners = true });
        var hinted = XrplAddress.CreateRandom();

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(),
            FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("app", loginHint: hinted)));

        Assert.Equal(hinted, Assert.Single(hops, h => h.Url.AbsolutePath == "/xumm-sim/auth").Query["signers"].ToString());
        FederationHost.AssertClientError(hops[^1], "access_denied", "another wallet than the one the login asked for");
        Assert.Empty(await host.SessionsAsync());
        Assert.Empty(await host.WithDbAsync(db => db.Accounts.ToListAsync()));
        var failed = Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed));
        Assert.Equal("wrong_wallet", failed.Reason);
        Assert.Equal(BridgeFactory.DefaultWallet, failed.Actor);
    }

    [Fact]
    public async Task The_hinted_wallet_itself_signs_in()
    {
        await using var host = new FederationHost();
        host.Simulator.UpdateFaults(f => f with { IgnoreSigners = true });

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(loginHint: BridgeFactory.DefaultWallet));

        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.Equal(BridgeFactory.DefaultWallet, Assert.Single(await host.SessionsAsync()).Wallet);
    }

    [Fact]
    public async Task A_wallet_that_signed_on_another_network_is_refused_even_when_xumm_does_not_enforce_force_network()
    {
        await using var host = new FederationHost();
        host.Settings["Xumm:Simulator:Network"] = "TESTNET";
        await host.AddClientAsync("mainnet-app", requiredNetwork: "MAINNET");
        host.Simulator.UpdateFaults(f => f with { IgnoreForceNetwork = true });

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("mainnet-app")));

        Assert.Equal("MAINNET", Assert.Single(hops, h => h.Url.AbsolutePath == "/xumm-sim/auth").Query["force_network"].ToString());
        FederationHost.AssertClientError(hops[^1], "access_denied", "The wallet signed on TESTNET, but this application requires MAINNET.");
        Assert.Empty(await host.SessionsAsync());
    }

    [Fact]
    public async Task A_token_whose_subject_is_not_an_r_address_is_refused()
    {
        using var tokens = new SubstitutedTokens { Rewrite = claims => { claims["sub"] = "0x52908400098527886E0F7030069857D2E4169EE7"; return claims; } };
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(tokens.CreateHandler) };

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal(XummSignIn.ErrorPath, hops[^1].Url.AbsolutePath);
        Assert.Equal("invalid_identity", hops[^1].Query["reason"].ToString());
        Assert.Equal(HttpStatusCode.Forbidden, hops[^1].Status);
        Assert.Empty(await host.SessionsAsync());
        var failed = Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed));
        Assert.Equal("anonymous", failed.Actor);
    }

    [Fact]
    public async Task A_token_xumm_issued_already_past_its_exp_is_refused()
    {
        await using var host = new FederationHost();
        host.Simulator.UpdateFaults(f => f with { ExpiredTokens = true });

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal(XummSignIn.ErrorPath, hops[^1].Url.AbsolutePath);
        Assert.Equal("invalid_identity", hops[^1].Query["reason"].ToString());
        Assert.Empty(await host.SessionsAsync());
        Assert.Empty(await host.WithDbAsync(db => db.Accounts.ToListAsync()));
        Assert.Equal("invalid_identity", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).Reason);
    }

    [Fact]
    public async Task A_token_with_the_two_hour_lifetime_of_the_platforms_sample_configuration_is_accepted()
    {
        await using var host = new FederationHost
        {
            ConfigureTestServices = s => s.PostConfigure<XummSimulator.XummSimulatorOptions>(o => o.TokenLifetime = TimeSpan.FromHours(2)),
        };

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.Equal(BridgeFactory.DefaultWallet, Assert.Single(await host.SessionsAsync()).Wallet);
    }

    [Fact]
    public async Task The_substituted_token_source_itself_is_accepted_when_the_subject_is_a_valid_r_address()
    {
        var wallet = XrplAddress.CreateRandom();
        using var tokens = new SubstitutedTokens { Rewrite = claims => { claims["sub"] = wallet; return claims; } };
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(tokens.CreateHandler) };
        host.Simulator.SetAutoApprove(wallet);

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.Equal(wallet, Assert.Single(await host.SessionsAsync()).Wallet);
    }

    [Fact]
    public async Task A_login_the_user_rejects_in_xumm_ends_on_a_cancelled_page()
    {
        await using var host = new FederationHost();
        host.Simulator.SetAutoApprove(null);
        var browser = host.CreateBrowser();
        var hops = await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());
        Assert.Equal("/xumm-sim/auth", hops[^1].Url.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, hops[^1].Status);

        var payload = Assert.Single(host.Simulator.Payloads(), p => !p.Resolved);
        Assert.True(host.Simulator.Reject(payload.Uuid).Succeeded);
        var back = await FederationHost.FollowAsync(browser, $"/xumm-sim/auth/continue?payload={payload.Uuid}");

        var callback = Assert.Single(back, h => h.Url.AbsolutePath == "/signin-xumm");
        Assert.Equal("access_denied", callback.Query["error"].ToString());
        Assert.Equal(XummSignIn.ErrorPath, back[^1].Url.AbsolutePath);
        Assert.Equal("cancelled", back[^1].Query["reason"].ToString());
        Assert.Contains("cancelled in Xumm", back[^1].Body, StringComparison.Ordinal);
        Assert.Empty(await host.SessionsAsync());
        Assert.Equal("access_denied", DetailOf(Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)), "upstream_error"));
    }

    [Fact]
    public async Task A_client_login_the_user_rejects_ends_with_access_denied_for_the_client()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("app");
        host.Simulator.SetAutoApprove(null);
        var browser = host.CreateBrowser();
        await FederationHost.FollowAsync(browser, FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("app")));
        var payload = Assert.Single(host.Simulator.Payloads(), p => !p.Resolved);
        host.Simulator.Reject(payload.Uuid);

        var back = await FederationHost.FollowAsync(browser, $"/xumm-sim/auth/continue?payload={payload.Uuid}");

        FederationHost.AssertClientError(back[^1], "access_denied", "cancelled in Xumm");
    }

    [Fact]
    public async Task Allow_list_provisioning_refuses_a_wallet_without_an_account_but_admits_bootstrap_and_enrolled_wallets()
    {
        await using var host = new FederationHost();
        host.Settings["Bridge:Provisioning"] = "AllowList";
        var stranger = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(stranger);

        var refused = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("not_enrolled", refused[^1].Query["reason"].ToString());
        Assert.Contains("This wallet is not enrolled", refused[^1].Body, StringComparison.Ordinal);
        Assert.Empty(await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == stranger).ToListAsync()));
        var failed = Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed));
        Assert.Equal("not_enrolled", failed.Reason);
        Assert.Equal(stranger, failed.Actor);

        // The bootstrap admin wallet (development settings) is always admitted.
        host.Simulator.SetAutoApprove(BridgeFactory.DefaultWallet);
        var admitted = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", admitted[^1].Url.AbsolutePath);
    }

    [Fact]
    public async Task A_clients_allow_list_override_refuses_a_new_wallet_that_the_deployment_would_create()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("closed", provisioning: "AllowList");
        var wallet = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(wallet);

        var refused = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("closed")));
        FederationHost.AssertClientError(refused[^1], "access_denied", "This wallet is not enrolled");

        // Outside that client the deployment default (AutoCreate) creates the account, but that does not enrol it.
        var browser = host.CreateBrowser();
        var created = await FederationHost.FollowAsync(browser, FederationHost.LoginUrl());
        Assert.Equal("/account", created[^1].Url.AbsolutePath);
        var again = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("closed")));
        FederationHost.AssertClientError(again[^1], "access_denied", "This wallet is not enrolled");
    }

    [Fact]
    public async Task A_session_from_another_sign_in_does_not_admit_an_unenrolled_account_at_an_allow_list_client()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("closed", provisioning: "AllowList");
        var wallet = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(wallet);
        var browser = host.CreateBrowser();
        Assert.Equal("/account", (await FederationHost.FollowAsync(browser, FederationHost.LoginUrl()))[^1].Url.AbsolutePath);

        // The live session is not reused for the AllowList client: silently it is login_required, and the
        // sign-in it asks for refuses the wallet the way a first sign-in there does.
        var silent = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("closed") + "&prompt=none");
        Assert.Equal("login_required", silent[^1].LocationQuery["error"].ToString());
        var interactive = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("closed"));
        FederationHost.AssertClientError(interactive[^1], "access_denied", "This wallet is not enrolled");

        // Once an administrator links the wallet to the account, the account is enrolled and admitted.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<IdentityBridge.Admin.Services.AccountAdminService>();
            var accountId = await host.WithDbAsync(db => db.Wallets.Where(w => w.Address == wallet).Select(w => w.AccountId).FirstAsync());
            Assert.True((await admin.LinkWalletAsync(accountId, wallet, null, "cli")).Ok);
        }
        var admitted = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("closed") + "&prompt=none");
        Assert.True(admitted[^1].LocationQuery.ContainsKey("code"), admitted[^1].Location?.ToString());
    }

    [Fact]
    public async Task An_account_created_for_an_auto_create_client_is_not_admitted_where_the_deployment_allow_list_applies()
    {
        await using var host = new FederationHost();
        host.Settings["Bridge:Provisioning"] = "AllowList";
        await host.AddClientAsync("open", provisioning: "AutoCreate");
        await host.AddClientAsync("closed");
        var wallet = XrplAddress.CreateRandom();
        host.Simulator.SetAutoApprove(wallet);
        var browser = host.CreateBrowser();

        var opened = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("open"));
        Assert.True(opened[^1].LocationQuery.ContainsKey("code"), opened[^1].Location?.ToString());

        var closed = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("closed"));
        FederationHost.AssertClientError(closed[^1], "access_denied", "This wallet is not enrolled");
        var bridge = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("not_enrolled", bridge[^1].Query["reason"].ToString());

        // The AutoCreate client itself keeps admitting the account.
        var reopened = await FederationHost.FollowAsync(browser, FederationHost.AuthorizeReturnUrl("open", state: "client-state-2") + "&prompt=none");
        Assert.True(reopened[^1].LocationQuery.ContainsKey("code"), reopened[^1].Location?.ToString());
    }

    [Fact]
    public async Task A_disabled_account_is_refused()
    {
        await using var host = new FederationHost();
        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        await host.WithDbAsync(db => db.Accounts.ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AccountStatus.Disabled)));

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("account_disabled", hops[^1].Query["reason"].ToString());
        Assert.Equal(HttpStatusCode.Forbidden, hops[^1].Status);
        Assert.Contains("disabled", hops[^1].Body, StringComparison.Ordinal);
        Assert.Single(await host.SessionsAsync());
        Assert.Equal("account_disabled", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).Reason);
    }

    private static string? DetailOf(AuditEvent e, string name) =>
        System.Text.Json.JsonDocument.Parse(e.Details!).RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
}
