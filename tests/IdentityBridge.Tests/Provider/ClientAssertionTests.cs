using System.Net;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// private_key_jwt assertions, built byte by byte so that the test controls every header and claim, under the
/// default <c>Bridge:ClientAuthentication:AssertionAudience</c> (<c>IssuerOrEndpoint</c>); the strict setting is
/// in <see cref="StrictClientAssertionTests"/>.
/// </summary>
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

    [Fact]
    public async Task The_issuer_the_token_endpoint_or_the_endpoint_called_is_an_audience_by_default()
    {
        // RFC 7523 §3 and OIDC Core §9, kept for clients that do not yet send the issuer alone.
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(BridgeFactory.Issuer))))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(ClientAssertionBuilder.TokenEndpoint))))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ClientAssertionBuilder.IntrospectAsync(driver, Sign("RS256", Claims(BridgeFactory.Issuer + "/connect/introspect")))).StatusCode);
    }

    [Fact]
    public async Task An_audience_array_is_accepted_only_when_each_of_its_members_is_this_server()
    {
        // openid-client 5 sends the issuer and the token endpoint: both this server.
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(new[] { BridgeFactory.Issuer, ClientAssertionBuilder.TokenEndpoint }))))).StatusCode);

        // Any other audience could present the assertion here as its own: it is refused whatever else the array holds.
        var bad = new object[]
        {
            new[] { ClientAssertionBuilder.TokenEndpoint, "https://other-as.example" },
            new[] { "https://other-as.example/token", BridgeFactory.Issuer },
            new object[] { BridgeFactory.Issuer, 42 },
            Array.Empty<string>(),
        };
        foreach (var audience in bad)
            await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("RS256", Claims(audience)))), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Theory]
    [InlineData("client-authentication+jwt")]
    [InlineData("application/client-authentication+jwt")]
    [InlineData("Client-Authentication+JWT")]
    [InlineData("APPLICATION/client-authentication+jwt")]
    public async Task An_assertion_typed_client_authentication_jwt_needs_the_issuer_as_its_only_audience(string typ)
    {
        // draft-ietf-oauth-rfc7523bis: its sender follows the update, so the update's rule applies whatever the
        // setting. RFC 7515 §4.1.9: the type is compared without case, with or without "application/".
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(BridgeFactory.Issuer), typ)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(new[] { BridgeFactory.Issuer }), typ)))).StatusCode);

        foreach (var audience in new object[] { ClientAssertionBuilder.TokenEndpoint, new[] { BridgeFactory.Issuer, ClientAssertionBuilder.TokenEndpoint } })
            await OidcDriver.AssertError(await driver.TokenAsync(Form(Sign("RS256", Claims(audience), typ))), HttpStatusCode.BadRequest, "invalid_client");
    }

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("application/at+jwt")]
    [InlineData("logout+jwt")]
    [InlineData("secevent+jwt")]
    [InlineData("dpop+jwt")]
    [InlineData("oauth-authz-req+jwt")]
    [InlineData("JOSE")]
    public async Task An_assertion_typed_as_another_kind_of_token_is_refused(string typ)
    {
        // RFC 8725 §3.11: an explicit type tells one kind of JWT from another; a token of another kind signed with
        // the client's key is not a client assertion, however well its claims would fit.
        var driver = new OidcDriver(host);
        var response = await driver.TokenAsync(Form(Sign("RS256", Claims(BridgeFactory.Issuer), typ)));
        var json = await OidcDriver.Json(response, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_client", json.GetProperty("error").GetString());
        Assert.Contains("client-authentication+jwt", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("JWT")]
    [InlineData("jwt")]
    [InlineData("application/jwt")]
    public async Task An_assertion_typed_jwt_or_not_typed_is_accepted(string? typ)
    {
        var driver = new OidcDriver(host);
        Assert.Equal(HttpStatusCode.OK, (await driver.TokenAsync(Form(Sign("RS256", Claims(), typ)))).StatusCode);
    }

    [Fact]
    public async Task An_audience_refusal_names_the_issuer_and_reads_the_same_whether_the_client_exists()
    {
        // The integrator learns what to put in aud; the answer depends on the assertion and this server alone,
        // so it tells nobody which client ids exist.
        var driver = new OidcDriver(host);
        var descriptions = new List<string>();
        foreach (var subject in new[] { TestClients.Jwt, "nobody-at-all" })
        {
            var json = await OidcDriver.Json(await driver.TokenAsync(Form(Sign("RS256", Claims("https://elsewhere.example/token", subject)))), HttpStatusCode.BadRequest);
            Assert.Equal("invalid_client", json.GetProperty("error").GetString());
            descriptions.Add(json.GetProperty("error_description").GetString()!);
        }
        var description = Assert.Single(descriptions.Distinct());
        Assert.Contains($"the issuer identifier {BridgeFactory.Issuer}", description, StringComparison.Ordinal);
    }

    private Dictionary<string, object> Claims(object audience, string subject) => ClientAssertionBuilder.Claims(host.Clock, audience, subject);

    private Dictionary<string, object> Claims(object? audience = null) => ClientAssertionBuilder.Claims(host.Clock, audience ?? Audience);

    private static string Sign(string alg, Dictionary<string, object> claims, string? typ = "JWT") => ClientAssertionBuilder.Sign(alg, claims, typ);

    private static Dictionary<string, string> Form(string assertion) => ClientAssertionBuilder.Form(assertion);
}
