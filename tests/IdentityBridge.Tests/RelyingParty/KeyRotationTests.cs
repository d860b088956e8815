using System.Security.Cryptography;
using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class KeyRotationTests
{
    [Fact]
    public async Task Unknown_kid_triggers_exactly_one_refresh_and_then_succeeds()
    {
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        await using var harness = await Harness.StartAsync(arrange: provider => UseKey(provider, first, "k1", [new PublishedKey(first, "k1")]));
        await harness.LoginSucceedsAsync();
        Assert.Equal(1, harness.Provider.DiscoveryRequests);

        UseKey(harness.Provider, second, "k2", [new PublishedKey(first, "k1"), new PublishedKey(second, "k2")]);
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();

        Assert.Equal(2, harness.Provider.DiscoveryRequests);
        Assert.Equal(2, harness.Provider.JwksRequests);
    }

    [Fact]
    public async Task Keys_without_kid_rotate_too()
    {
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        await using var harness = await Harness.StartAsync(arrange: provider => UseKey(provider, first, null, [new PublishedKey(first, null)]));
        await harness.LoginSucceedsAsync();

        UseKey(harness.Provider, second, null, [new PublishedKey(second, null)]);
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();

        Assert.Equal(2, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Token_with_kid_verifies_against_a_jwks_key_without_kid()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.SigningKid = "signer-kid");

        await harness.LoginSucceedsAsync();

        Assert.Equal(1, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Second_refresh_within_the_minimum_interval_is_not_performed_and_fails_closed()
    {
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        using var third = RSA.Create(2048);
        await using var harness = await Harness.StartAsync(arrange: provider => UseKey(provider, first, "k1", [new PublishedKey(first, "k1")]));
        await harness.LoginSucceedsAsync();
        UseKey(harness.Provider, second, "k2", [new PublishedKey(second, "k2")]);
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();
        Assert.Equal(2, harness.Provider.DiscoveryRequests);

        harness.Time.Advance(TimeSpan.FromSeconds(10));
        UseKey(harness.Provider, third, "k3", [new PublishedKey(third, "k3")]);
        harness.NewBrowser();
        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("signature", failure.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(2, harness.Provider.DiscoveryRequests);

        harness.Time.Advance(TimeSpan.FromSeconds(21));
        harness.NewBrowser();
        await harness.LoginSucceedsAsync();
        Assert.Equal(3, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Refresh_that_brings_no_matching_key_fails_closed()
    {
        using var stranger = RSA.Create(2048);
        await using var harness = await Harness.StartAsync(arrange: provider => provider.WriteIdToken = claims => TestJwt.Rs256(stranger, "unknown", claims));

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Equal(2, harness.Provider.DiscoveryRequests);
    }

    private static void UseKey(FakeOpenIdProvider provider, RSA key, string? kid, List<PublishedKey> published)
    {
        provider.SigningKey = key;
        provider.SigningKid = kid;
        provider.JwksKeys = published;
    }
}
