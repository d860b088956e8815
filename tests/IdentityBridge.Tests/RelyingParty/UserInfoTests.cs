using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class UserInfoTests
{
    [Fact]
    public async Task Userinfo_maps_name_and_picture_but_not_email()
    {
        await using var harness = await Harness.StartAsync(options => options.GetClaimsFromUserInfoEndpoint = true);

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal("Pepper", user.Claim("name"));
        Assert.Equal("https://xumm.app/avatar/pepper.png", user.Claim("picture"));
        Assert.Null(user.Claim("email"));
    }

    [Fact]
    public async Task Userinfo_with_another_sub_fails()
    {
        await using var harness = await Harness.StartAsync(
            options => options.GetClaimsFromUserInfoEndpoint = true,
            provider => provider.UserInfoSubject = "rSomebodyElse");

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidUserInfo);

        Assert.Contains("sub", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Userinfo_event_sees_the_document_and_can_fail()
    {
        await using var harness = await Harness.StartAsync(options =>
        {
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Events.OnUserInformationReceived = context =>
            {
                if (!context.User.RootElement.TryGetProperty("blocked", out var blocked) || blocked.GetBoolean())
                {
                    context.Fail("blocked account");
                }
                else
                {
                    context.Fail("seen " + context.User.RootElement.GetProperty("sub").GetString());
                }

                return Task.CompletedTask;
            };
        });

        using var response = await harness.LoginAsync();

        Assert.Equal("seen " + FakeOpenIdProvider.Subject, Assert.Single(harness.App.Failures).Message);
    }

    [Fact]
    public async Task Claim_actions_configured_by_the_application_map_more_claims()
    {
        await using var harness = await Harness.StartAsync(options => options.ClaimActions.MapUniqueJsonKey("network", "network_type"));

        var user = await harness.LoginSucceedsAsync();

        Assert.Equal("MAINNET", user.Claim("network"));
    }
}
