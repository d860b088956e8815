using System.Net;
using IdentityBridge.RelyingParty;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class SignOutAndRefreshTests
{
    [Fact]
    public async Task Sign_out_redirects_to_end_session_with_hint_and_returns_through_the_callback()
    {
        await using var harness = await Harness.StartAsync();
        var user = await harness.LoginSucceedsAsync();

        using var response = await harness.Browser.FollowAsync("/logout");

        var request = harness.Provider.LastEndSessionRequest!;
        Assert.Equal(user.Tokens["id_token"], request["id_token_hint"]);
        Assert.Equal(FakeOpenIdProvider.ClientId, request["client_id"]);
        Assert.Equal(RelyingPartyApp.BaseAddress + "/signout-callback-oidc", request["post_logout_redirect_uri"]);
        Assert.False(string.IsNullOrEmpty(request["state"]));
        Assert.Equal("/bye", harness.Browser.History[^1].AbsolutePath);
        using var me = await harness.Browser.GetAsync(new Uri(RelyingPartyApp.BaseAddress + "/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Signed_out_callback_with_forged_state_goes_to_the_default_page()
    {
        await using var harness = await Harness.StartAsync();

        using var response = await harness.Browser.GetAsync(new Uri(RelyingPartyApp.BaseAddress + "/signout-callback-oidc?state=forged"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Sign_out_without_end_session_endpoint_stays_local()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.PublishEndSession = false);
        await harness.LoginSucceedsAsync();

        using var response = await harness.Browser.FollowAsync("/logout");

        Assert.Null(harness.Provider.LastEndSessionRequest);
        Assert.Equal("/bye", harness.Browser.History[^1].AbsolutePath);
    }

    [Fact]
    public async Task Token_client_refreshes_with_the_same_client_authentication()
    {
        await using var harness = await Harness.StartAsync(
            options => options.TokenEndpointAuthMethod = OidcClientAuthenticationMethod.ClientSecretBasic,
            provider =>
            {
                provider.IssueRefreshTokens = true;
                provider.RequireBasicAuthentication = true;
            });
        var user = await harness.LoginSucceedsAsync();
        Assert.Equal("rt-1", user.Tokens["refresh_token"]);
        var client = harness.App.Services.GetRequiredService<OidcTokenClient>();

        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var refreshed = await client.RefreshAsync(RelyingPartyApp.Scheme, "rt-1", expectedSubject: FakeOpenIdProvider.Subject);

        Assert.True(refreshed.Succeeded, refreshed.Failure?.Message);
        Assert.Equal(harness.Provider.LastAccessToken, refreshed.AccessToken);
        Assert.NotEqual(user.Tokens["access_token"], refreshed.AccessToken);
        Assert.Equal("rt-1", refreshed.RefreshToken);
        Assert.Equal(harness.Time.GetUtcNow().AddSeconds(7200), refreshed.ExpiresAt);
    }

    [Fact]
    public async Task Token_client_reports_invalid_grant_as_a_value()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.IssueRefreshTokens = true);
        await harness.LoginSucceedsAsync();
        var client = harness.App.Services.GetRequiredService<OidcTokenClient>();

        var refreshed = await client.RefreshAsync(RelyingPartyApp.Scheme, "revoked");

        Assert.False(refreshed.Succeeded);
        Assert.Equal("invalid_grant", refreshed.Failure.Error);
    }

    [Fact]
    public async Task Token_client_refuses_a_refreshed_id_token_for_another_subject()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.IssueRefreshTokens = true);
        await harness.LoginSucceedsAsync();
        var client = harness.App.Services.GetRequiredService<OidcTokenClient>();

        var refreshed = await client.RefreshAsync(RelyingPartyApp.Scheme, "rt-1", expectedSubject: "rSomebodyElse");

        Assert.Equal(OidcClientErrors.InvalidIdToken, refreshed.Failure!.Error);
    }
}
