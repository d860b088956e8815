using System.Net;
using Microsoft.AspNetCore.Http;
using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class AvailabilityTests
{
    [Fact]
    public async Task Cached_metadata_keeps_working_while_the_provider_is_down_until_max_staleness()
    {
        await using var harness = await Harness.StartAsync();
        await harness.LoginSucceedsAsync();
        Assert.Equal(1, harness.Provider.DiscoveryRequests);

        harness.Provider.MetadataDown = true;
        harness.Time.Advance(TimeSpan.FromHours(13)); // past the automatic refresh, within 24 h of staleness
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();

        harness.Time.Advance(TimeSpan.FromHours(12)); // 25 h old now
        harness.NewBrowser();
        using var response = await harness.LoginAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("sign-in failed: temporarily_unavailable", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Metadata_is_fetched_again_after_the_automatic_refresh_interval()
    {
        await using var harness = await Harness.StartAsync();
        await harness.LoginSucceedsAsync();

        harness.Time.Advance(TimeSpan.FromHours(11));
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();
        Assert.Equal(1, harness.Provider.DiscoveryRequests);

        harness.Time.Advance(TimeSpan.FromHours(2));
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();
        Assert.Equal(2, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Provider_down_with_nothing_cached_fails_the_challenge_cleanly()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.MetadataDown = true);

        using var response = await harness.LoginAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("sign-in failed: temporarily_unavailable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Provider_down_with_nothing_cached_fails_the_callback_cleanly()
    {
        await using var harness = await Harness.StartAsync(
            options => options.AuthorizationEndpoint = FakeOpenIdProvider.Issuer + "/auth",
            provider => provider.MetadataDown = true);

        await harness.LoginFailsAsync(OidcClientErrors.TemporarilyUnavailable);

        Assert.Equal(0, harness.Provider.TokenRequests);
    }

    [Fact]
    public async Task Challenge_failure_can_be_handled_by_the_application()
    {
        await using var harness = await Harness.StartAsync(
            options => options.Events.OnChallengeFailed = async context =>
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                await context.Response.WriteAsync("try later: " + context.Failure.Error);
                context.HandleResponse();
            },
            provider => provider.MetadataDown = true);

        using var response = await harness.LoginAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("try later: temporarily_unavailable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Discovery_document_naming_another_issuer_is_not_used()
    {
        await using var harness = await Harness.StartAsync(options =>
        {
            options.Authority = "https://op.test/";
            options.MetadataAddress = FakeOpenIdProvider.Issuer + "/.well-known/openid-configuration";
        });

        using var response = await harness.LoginAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Unhandled_event_failure_is_answered_without_an_exception()
    {
        await using var harness = await Harness.StartAsync(options =>
        {
            options.Events = new OidcClientEvents
            {
                OnTokenValidated = context =>
                {
                    context.Fail("not allowed here");
                    return Task.CompletedTask;
                },
            };
        });

        using var response = await harness.LoginAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("sign-in failed: access_denied", await response.Content.ReadAsStringAsync());
    }
}
