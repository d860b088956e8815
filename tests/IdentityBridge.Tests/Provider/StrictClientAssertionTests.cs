using System.Net;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// <c>Bridge:ClientAuthentication:AssertionAudience</c> <c>Issuer</c>: the audience of a client assertion is the
/// issuer identifier, as its only value (draft-ietf-oauth-rfc7523bis), so that an assertion a client made for
/// another authorization server, addressed to one of this server's endpoint URLs that server's metadata named,
/// cannot be replayed here.
/// </summary>
public sealed class StrictClientAssertionTests(StrictClientAssertionTests.Host host) : IClassFixture<StrictClientAssertionTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host() => Settings["Bridge:ClientAuthentication:AssertionAudience"] = "Issuer";
    }

    [Fact]
    public async Task The_issuer_as_a_string_or_a_one_member_array_is_accepted()
    {
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(BridgeFactory.Issuer))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(new[] { BridgeFactory.Issuer }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ClientAssertionBuilder.IntrospectAsync(driver, Assertion(BridgeFactory.Issuer))).StatusCode);
    }

    [Fact]
    public async Task An_endpoint_url_or_more_than_one_audience_is_refused()
    {
        var driver = new OidcDriver(host);
        var bad = new object[]
        {
            ClientAssertionBuilder.TokenEndpoint,
            BridgeFactory.Issuer + "/",
            new[] { BridgeFactory.Issuer, ClientAssertionBuilder.TokenEndpoint },
            new[] { BridgeFactory.Issuer, BridgeFactory.Issuer },
            new[] { BridgeFactory.Issuer, "https://other-as.example" },
        };
        foreach (var audience in bad)
            await OidcDriver.AssertError(await driver.TokenAsync(Form(audience)), HttpStatusCode.BadRequest, "invalid_client");

        // The URL of the endpoint called is no better than the token endpoint's.
        await OidcDriver.AssertError(
            await ClientAssertionBuilder.IntrospectAsync(driver, Assertion(BridgeFactory.Issuer + "/connect/introspect")), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task A_push_takes_an_assertion_for_the_issuer_but_not_for_the_par_endpoint_url()
    {
        // RFC 9126 §2: the issuer is a valid audience at the pushed authorization endpoint; under Issuer, the only one.
        var driver = new OidcDriver(host);
        Dictionary<string, string> Push(string audience)
        {
            var p = driver.Params(TestClients.Jwt);
            p["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
            p["client_assertion"] = Assertion(audience);
            return p;
        }
        Assert.Equal(HttpStatusCode.Created, (await PushedAuthorizationTests.PushAsync(driver, Push(BridgeFactory.Issuer), basicId: null)).StatusCode);
        await OidcDriver.AssertError(await PushedAuthorizationTests.PushAsync(driver, Push(BridgeFactory.Issuer + "/connect/par"), basicId: null),
            HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task The_refusal_says_the_issuer_is_the_one_audience_expected()
    {
        var json = await OidcDriver.Json(await new OidcDriver(host).TokenAsync(Form(ClientAssertionBuilder.TokenEndpoint)), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Equal(
            $"The client assertion's aud must be the issuer identifier {BridgeFactory.Issuer}, as its only value.",
            json.GetProperty("error_description").GetString());
    }

    private string Assertion(object audience) => ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, audience));

    private Dictionary<string, string> Form(object audience) => ClientAssertionBuilder.Form(Assertion(audience));
}
