using System.Net;
using IdentityBridge.RelyingParty;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class TokenEndpointTests
{
    [Fact]
    public async Task Error_json_surfaces_with_its_error_code()
    {
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.TokenError = (400, """{"error":"invalid_grant","error_description":"Code expired"}"""));

        var failure = await harness.LoginFailsAsync("invalid_grant");

        Assert.Equal("Code expired", failure.ErrorDescription);
    }

    [Fact]
    public async Task Server_error_without_json_is_temporarily_unavailable()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.TokenError = (502, "<html>bad gateway</html>"));

        await harness.LoginFailsAsync(OidcClientErrors.TemporarilyUnavailable);
    }

    [Fact]
    public async Task Missing_id_token_fails_because_openid_was_requested()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditTokenResponse = response => response.Remove("id_token"));

        await harness.LoginFailsAsync(OidcClientErrors.InvalidTokenResponse);
    }

    [Fact]
    public async Task Non_bearer_token_type_fails()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditTokenResponse = response => response["token_type"] = "mac");

        await harness.LoginFailsAsync(OidcClientErrors.InvalidTokenResponse);
    }

    [Fact]
    public async Task Upper_case_bearer_and_string_expires_in_are_accepted()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditTokenResponse = response =>
        {
            response["token_type"] = "BEARER";
            response["expires_in"] = "600";
        });

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal(Harness.Start.AddSeconds(600), DateTimeOffset.Parse(user.Tokens["expires_at"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(900_000_000_000L)]
    [InlineData(1_000_000_000_000L)]
    [InlineData(long.MaxValue)]
    public async Task An_expires_in_too_large_to_represent_does_not_fail_the_sign_in(long seconds)
    {
        // RFC 6749 section 5.1 puts no bound on expires_in; a lifetime beyond any date is no lifetime to record.
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditTokenResponse = response => response["expires_in"] = seconds);

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal(FakeOpenIdProvider.Subject, user.Claim("sub"));
        Assert.False(user.Tokens.ContainsKey("expires_at"));
    }

    [Fact]
    public async Task Client_secret_basic_is_supported()
    {
        await using var harness = await Harness.StartAsync(
            options => options.TokenEndpointAuthMethod = OidcClientAuthenticationMethod.ClientSecretBasic,
            provider => provider.RequireBasicAuthentication = true);

        await harness.LoginSucceedsAsync();
    }

    [Fact]
    public async Task Public_client_sends_only_its_id_and_relies_on_pkce()
    {
        await using var harness = await Harness.StartAsync(
            options => options.ClientSecret = string.Empty,
            provider => provider.PublicClient = true);

        await harness.LoginSucceedsAsync();
    }

    [Fact]
    public async Task Slow_token_endpoint_times_out_as_temporarily_unavailable()
    {
        await using var harness = await Harness.StartAsync(
            options => options.BackchannelTimeout = TimeSpan.FromSeconds(2),
            provider => provider.HoldTokenEndpoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var callback = await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");

        var pending = harness.Browser.FollowAsync(callback);
        await harness.Provider.TokenRequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(pending.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var failure = harness.App.LastFailure;
        Assert.Equal(OidcClientErrors.TemporarilyUnavailable, failure.Error);
        Assert.Contains("did not answer", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backchannel_timeouts_follow_the_time_provider_only()
    {
        await using var harness = await Harness.StartAsync();

        var options = harness.App.Services.GetRequiredService<IOptionsMonitor<OidcClientOptions>>().Get(RelyingPartyApp.Scheme);

        Assert.Equal(Timeout.InfiniteTimeSpan, options.Backchannel.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.BackchannelTimeout);
    }
}
