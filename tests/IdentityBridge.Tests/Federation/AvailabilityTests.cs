using System.Diagnostics;
using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Federation;

namespace IdentityBridge.Tests.Federation;

/// <summary>Xumm down, slow or rotating its keys: every login ends cleanly, nothing hangs, nothing answers 500.</summary>
public sealed class AvailabilityTests
{
    [Fact]
    public async Task A_token_endpoint_answering_500_ends_on_the_unavailable_page()
    {
        await using var host = new FederationHost();
        var browser = host.CreateBrowser();
        var callback = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(), "/signin-xumm");
        host.Simulator.UpdateFaults(f => f with { Status500 = true });

        var hops = await FederationHost.FollowAsync(browser, callback.PathAndQuery);

        Assert.Equal(XummSignIn.ErrorPath, hops[^1].Url.AbsolutePath);
        Assert.Equal("upstream_unavailable", hops[^1].Query["reason"].ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, hops[^1].Status);
        Assert.Contains("Xumm could not be reached", hops[^1].Body, StringComparison.Ordinal);
        Assert.Empty(await host.SessionsAsync());
        Assert.DoesNotContain(host.Responses.Responses, r => r.StartsWith("500 ", StringComparison.Ordinal) && !r.Contains("/xumm-sim/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_endpoint_answering_500_ends_a_client_login_with_temporarily_unavailable()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("app");
        var browser = host.CreateBrowser();
        var callback = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("app")), "/signin-xumm");
        host.Simulator.UpdateFaults(f => f with { Status500 = true });

        var hop = await FederationHost.GetAsync(browser, callback);

        FederationHost.AssertClientError(hop, "temporarily_unavailable", "Xumm could not be reached");
    }

    /// <summary>
    /// The token endpoint would answer only after <see cref="UpstreamDelay"/>; the bridge, bounded by its backchannel
    /// timeout, must end the login long before that. The bound leaves room for a loaded machine (the timeout runs on
    /// real time), and the upstream delay is twice the bound, so passing still proves the bridge did not wait.
    /// </summary>
    [Fact]
    public async Task A_token_endpoint_slower_than_the_timeout_ends_on_the_unavailable_page_without_waiting_for_it()
    {
        await using var host = new FederationHost();
        host.Settings["Xumm:SignIn:BackchannelTimeout"] = "00:00:05";
        await WarmUpAsync(host);
        var browser = host.CreateBrowser();
        var callback = await FederationHost.FollowUntilAsync(browser, FederationHost.LoginUrl(), "/signin-xumm");
        host.Simulator.UpdateFaults(f => f with { DelayMs = (int)UpstreamDelay.TotalMilliseconds });

        var watch = Stopwatch.StartNew();
        var hop = await FederationHost.GetAsync(browser, callback);
        watch.Stop();

        Assert.True(watch.Elapsed < UpstreamDelay / 2, $"took {watch.Elapsed}");
        Assert.Equal(XummSignIn.ErrorPath, hop.Location!.AbsolutePath);
        Assert.Equal("upstream_unavailable", QueryOf(hop.Location)["reason"].ToString());
        Assert.Single(await host.SessionsAsync()); // the warm-up
    }

    [Fact]
    public async Task Metadata_that_cannot_be_refreshed_is_served_from_the_cache_and_logins_still_work()
    {
        var probe = new UpstreamProbe();
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };
        await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        var fetched = probe.CallsTo("/.well-known/openid-configuration");

        probe.MetadataDown = true;
        host.Clock.Advance(TimeSpan.FromHours(13)); // past the 12 h refresh, within the 24 h staleness bound
        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.True(probe.CallsTo("/.well-known/openid-configuration") > fetched, "a refresh was attempted");
        Assert.Equal(2, (await host.SessionsAsync()).Count);
    }

    [Fact]
    public async Task With_nothing_cached_and_xumm_unreachable_the_login_fails_cleanly()
    {
        var probe = new UpstreamProbe { MetadataDown = true };
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal(["/login", XummSignIn.ErrorPath], hops.Select(h => h.Url.AbsolutePath));
        Assert.Equal("upstream_unavailable", hops[^1].Query["reason"].ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, hops[^1].Status);
        Assert.Empty(host.Simulator.Payloads());
        Assert.Equal("upstream_unavailable", Assert.Single(await host.AuditAsync(AuditTypes.SignInFailed)).Reason);
    }

    [Fact]
    public async Task With_nothing_cached_and_xumm_answering_500_a_client_login_ends_with_temporarily_unavailable()
    {
        await using var host = new FederationHost();
        await host.AddClientAsync("app");
        host.Simulator.UpdateFaults(f => f with { Status500 = true });

        var hop = await FederationHost.GetAsync(host.CreateBrowser(), new Uri(new Uri(FederationHost.Issuer), FederationHost.LoginUrl(FederationHost.AuthorizeReturnUrl("app"))));

        Assert.Equal("/login", hop.Url.AbsolutePath);
        FederationHost.AssertClientError(hop, "temporarily_unavailable", "Xumm could not be reached");
    }

    [Fact]
    public async Task An_unknown_key_id_triggers_one_refresh_at_most_every_30_seconds_and_fails_closed_in_between()
    {
        var probe = new UpstreamProbe();
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };
        host.Simulator.UpdateFaults(f => f with { IncludeKeyId = true });
        Assert.Equal("/account", (await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl()))[^1].Url.AbsolutePath);
        Assert.Equal(1, probe.CallsTo("/certs"));

        host.Simulator.RotateSigningKey();
        var afterRotation = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", afterRotation[^1].Url.AbsolutePath);
        Assert.Equal(2, probe.CallsTo("/certs"));

        host.Simulator.RotateSigningKey();
        var tooSoon = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("invalid_identity", tooSoon[^1].Query["reason"].ToString());
        Assert.Equal(2, probe.CallsTo("/certs"));

        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var later = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", later[^1].Url.AbsolutePath);
        Assert.Equal(3, probe.CallsTo("/certs"));
    }

    private static readonly TimeSpan UpstreamDelay = TimeSpan.FromSeconds(60);

    /// <summary>
    /// One login before the measured one, so that a cold start (code loading, first metadata fetch) is not
    /// what the short timeout measures. A metadata fetch that timed out is retried after its back-off.
    /// </summary>
    private static async Task WarmUpAsync(FederationHost host)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
            if (hops[^1].Url.AbsolutePath == "/account") return;
            host.Clock.Advance(TimeSpan.FromSeconds(31));
        }
        Assert.Fail("The warm-up login did not succeed.");
    }

    private static Dictionary<string, Microsoft.Extensions.Primitives.StringValues> QueryOf(Uri uri) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
}
