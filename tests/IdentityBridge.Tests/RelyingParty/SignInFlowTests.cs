using System.Net;
using System.Security.Claims;
using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class SignInFlowTests
{
    [Fact]
    public async Task Xumm_style_response_signs_the_user_in()
    {
        // Defaults of the fake provider are Xumm's quirks: no kid in token or JWKS, code and authorization_code
        // both sent, token_type "bearer", refresh_token "", id_token identical to access_token.
        await using var harness = await Harness.StartAsync();

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal(FakeOpenIdProvider.Subject, user.Claim("sub"));
        Assert.Equal(FakeOpenIdProvider.Subject, user.Claim(ClaimTypes.NameIdentifier));
        Assert.Equal(FakeOpenIdProvider.Issuer, user.Claim("iss"));
        Assert.Null(user.Claim("email"));
        Assert.Equal(harness.Provider.LastAccessToken, user.Tokens["access_token"]);
        Assert.Equal(user.Tokens["access_token"], user.Tokens["id_token"]);
        Assert.False(user.Tokens.ContainsKey("refresh_token"));
        Assert.Equal(Harness.Start.AddSeconds(7200), DateTimeOffset.Parse(user.Tokens["expires_at"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Challenge_sends_state_a_fresh_nonce_and_pkce_s256()
    {
        await using var harness = await Harness.StartAsync();

        await harness.LoginSucceedsAsync();
        var first = harness.Provider.LastAuthorizeRequest!;
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();
        var second = harness.Provider.LastAuthorizeRequest!;

        Assert.False(string.IsNullOrEmpty(first["state"]));
        Assert.Equal("S256", first["code_challenge_method"]);
        Assert.Equal(43, first["code_challenge"].Length);
        Assert.True(first["nonce"].Length >= 43);
        Assert.NotEqual(first["nonce"], second["nonce"]);
        Assert.NotEqual(first["code_challenge"], second["code_challenge"]);
        Assert.Contains("openid", first["scope"].Split(' '));
    }

    [Fact]
    public async Task Nonce_travels_in_the_protected_state_not_in_a_cookie()
    {
        await using var harness = await Harness.StartAsync();

        var callback = await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");
        var nonce = harness.Provider.LastAuthorizeRequest!["nonce"];

        var cookies = harness.Browser.CookiesFor(RelyingPartyApp.BaseAddress + "/signin-oidc").ToList();
        Assert.Single(cookies); // the correlation cookie only
        Assert.DoesNotContain(cookies, cookie => cookie.Value.Contains(nonce, StringComparison.Ordinal));
        Assert.DoesNotContain(nonce, harness.Provider.LastAuthorizeRequest!["state"], StringComparison.Ordinal);
        using var response = await harness.Browser.FollowAsync(callback);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(CodeDelivery.CodeOnly)]
    [InlineData(CodeDelivery.AuthorizationCodeOnly)]
    public async Task Code_is_accepted_from_either_parameter(CodeDelivery delivery)
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.CodeDelivery = delivery);

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal(FakeOpenIdProvider.Subject, user.Claim("sub"));
    }

    [Fact]
    public async Task Missing_code_fails()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.CodeDelivery = CodeDelivery.None);

        await harness.LoginFailsAsync(OidcClientErrors.InvalidRequest);

        Assert.Equal(0, harness.Provider.TokenRequests);
    }

    [Fact]
    public async Task Two_different_codes_fail()
    {
        await using var harness = await Harness.StartAsync();
        var callback = await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");
        var tampered = new Uri(callback.AbsoluteUri.Replace("authorization_code=", "authorization_code=x", StringComparison.Ordinal));

        using var response = await harness.Browser.FollowAsync(tampered);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OidcClientErrors.InvalidRequest, harness.App.LastFailure.Error);
    }

    [Fact]
    public async Task Access_denied_ends_as_a_remote_failure_with_the_oauth_error()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.AuthorizeError = "access_denied");

        var failure = await harness.LoginFailsAsync(OidcClientErrors.AccessDenied);

        Assert.Equal("The user declined the sign-in request.", failure.ErrorDescription);
        Assert.Equal("access_denied", failure.Data["error"]);
        Assert.Equal(0, harness.Provider.TokenRequests);
    }

    [Fact]
    public async Task Replayed_state_fails_because_the_correlation_cookie_is_consumed()
    {
        await using var harness = await Harness.StartAsync();
        await harness.LoginSucceedsAsync();
        var callback = harness.Browser.Last("/signin-oidc");
        var tokenRequests = harness.Provider.TokenRequests;

        using var replay = await harness.Browser.FollowAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(OidcClientErrors.InvalidState, harness.App.LastFailure.Error);
        Assert.Equal(tokenRequests, harness.Provider.TokenRequests);
    }

    [Fact]
    public async Task Callback_without_state_fails()
    {
        await using var harness = await Harness.StartAsync();

        using var response = await harness.Browser.FollowAsync("/signin-oidc?code=abc");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OidcClientErrors.InvalidState, harness.App.LastFailure.Error);
    }

    [Fact]
    public async Task Mismatched_iss_parameter_on_the_callback_fails()
    {
        await using var harness = await Harness.StartAsync();
        var callback = await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");

        using var response = await harness.Browser.FollowAsync(new Uri(callback + "&iss=https%3A%2F%2Fevil.test"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OidcClientErrors.InvalidRequest, harness.App.LastFailure.Error);
    }

    [Fact]
    public async Task Challenge_properties_add_authorization_parameters_but_cannot_override_protocol_ones()
    {
        await using var harness = await Harness.StartAsync();

        await harness.LoginSucceedsAsync("?force_network=MAINNET&signers=rA%2CrB&login_hint=rPEPPER&nonce=chosen&redirect_uri=https%3A%2F%2Fevil.test");

        var request = harness.Provider.LastAuthorizeRequest!;
        Assert.Equal("MAINNET", request["force_network"]);
        Assert.Equal("rA,rB", request["signers"]);
        Assert.Equal("rPEPPER", request["login_hint"]);
        Assert.NotEqual("chosen", request["nonce"]);
        Assert.Equal(FakeOpenIdProvider.RedirectUri, request["redirect_uri"]);
    }

    [Fact]
    public async Task Preparing_event_can_add_parameters()
    {
        await using var harness = await Harness.StartAsync(options =>
            options.Events.OnPreparingAuthorizationRequest = context =>
            {
                context.Parameters["prompt"] = "login";
                return Task.CompletedTask;
            });

        await harness.LoginSucceedsAsync();

        Assert.Equal("login", harness.Provider.LastAuthorizeRequest!["prompt"]);
    }
}
