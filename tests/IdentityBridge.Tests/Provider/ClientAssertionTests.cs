using System.Net;

namespace IdentityBridge.Tests.Provider;

/// <summary>private_key_jwt assertions, built byte by byte so that the test controls every header and claim.</summary>
public sealed class ClientAssertionTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string Audience = ClientAssertionBuilder.TokenEndpoint;

    [Fact]
    public async Task A_key_registered_with_an_alg_verifies_only_that_alg()
    {
        // RFC 7517 §4.4: the registered key says alg RS256.
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims())))).StatusCode);
        await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("PS256", Claims()))), HttpStatusCode.BadRequest, "invalid_client");

        // A key that names no alg verifies any of the assertion algorithms.
        var withoutAlg = TestClients.JwtClientJwks().Replace("\"alg\":\"RS256\",", "", StringComparison.Ordinal);
        Assert.NotEqual(TestClients.JwtClientJwks(), withoutAlg);
        await host.UpdateClientAsync(TestClients.Jwt, c => c.JwksJson = withoutAlg);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("PS256", Claims())))).StatusCode);
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Jwt, c => c.JwksJson = TestClients.JwtClientJwks());
        }
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    public async Task A_time_sent_as_a_string_is_not_a_numeric_date(string claim)
    {
        // RFC 7519 §2: a NumericDate is a JSON number.
        var driver = new OidcDriver(host);
        var claims = Claims();
        claims["nbf"] = host.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", claims)))).StatusCode);

        claims = Claims();
        claims["nbf"] = host.Clock.GetUtcNow().ToUnixTimeSeconds();
        claims[claim] = claims[claim].ToString()!;
        await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("RS256", claims))), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task A_numeric_date_with_a_fraction_is_a_numeric_date()
    {
        // RFC 7519 §2: a NumericDate may be a non-integer number of seconds.
        var driver = new OidcDriver(host);
        var claims = Claims();
        var now = host.Clock.GetUtcNow().ToUnixTimeSeconds();
        claims["nbf"] = now - 0.5;
        claims["exp"] = now + 120.25;
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", claims)))).StatusCode);

        claims = Claims();
        claims["exp"] = now - 600.5;
        await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("RS256", claims))), HttpStatusCode.BadRequest, "invalid_client");

        // A number beyond any floating-point value is still a number: an exp that far away is refused as too
        // far in the future, not taken for a missing one.
        claims = Claims();
        claims["exp"] = System.Text.Json.Nodes.JsonNode.Parse("1e400")!;
        await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("RS256", claims))), HttpStatusCode.BadRequest, "invalid_client");
    }

    private Dictionary<string, object> Claims() => ClientAssertionBuilder.Claims(host.Clock, Audience);

    private static string Sign(string alg, Dictionary<string, object> claims) => ClientAssertionBuilder.Sign(alg, claims);

    private static Dictionary<string, string> Form(string assertion) => ClientAssertionBuilder.Form(assertion);
}
