using IdentityBridge.Audit;

namespace IdentityBridge.Tests.Federation;

/// <summary>
/// Xumm does not reliably set <c>kid</c> (XUMM-FACTS §1): a token may name a key the JWKS leaves unlabelled, and
/// a labelled key may sign tokens that name none. The bridge's upstream validator accepts both, also across a
/// key rotation, and still refuses a token no published key verifies.
/// </summary>
public sealed class UpstreamKeyIdTests
{
    public static TheoryData<string> Mixes => ["kid in the token only", "kid in the key set only"];

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task A_login_signs_in_and_survives_a_key_rotation(string mix)
    {
        var probe = new UpstreamProbe();
        await using var host = new FederationHost { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };
        host.Simulator.UpdateFaults(f => mix == "kid in the token only" ? f with { KeyIdInToken = true } : f with { KeyIdInKeySet = true });

        var first = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", first[^1].Url.AbsolutePath);
        Assert.Equal(1, probe.CallsTo("/certs"));

        // A new key: the cached set does not verify the token, so the keys are fetched once more.
        host.Simulator.RotateSigningKey();
        var afterRotation = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", afterRotation[^1].Url.AbsolutePath);
        Assert.Equal(2, probe.CallsTo("/certs"));
        Assert.Equal(2, (await host.AuditAsync(AuditTypes.SignInSucceeded)).Count);
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public async Task A_token_signed_by_an_unpublished_key_is_still_refused(string mix)
    {
        await using var host = new FederationHost();
        host.Simulator.UpdateFaults(f => (mix == "kid in the token only" ? f with { KeyIdInToken = true } : f with { KeyIdInKeySet = true })
            with { SignWithUnknownKey = true });

        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());

        Assert.Equal("invalid_identity", hops[^1].Query["reason"].ToString());
        Assert.Empty(await host.SessionsAsync());
    }
}
