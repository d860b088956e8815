using System.Security.Cryptography;
using System.Text;
using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class IdTokenValidationTests
{
    [Fact]
    public async Task Tampered_signature_is_refused()
    {
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.WriteIdToken = claims => TestJwt.TamperSignature(TestJwt.Rs256(provider.SigningKey, null, claims)));

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("signature", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_signed_by_another_key_is_refused()
    {
        var stranger = TestKeys.Stranger;
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.WriteIdToken = claims => TestJwt.Rs256(stranger, null, claims));

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
    }

    [Fact]
    public async Task Alg_none_is_refused_without_touching_the_keys()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.WriteIdToken = TestJwt.Unsigned);

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("algorithm 'none'", failure.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(1, harness.Provider.DiscoveryRequests);
    }

    public static TheoryData<string> PublicKeyEncodings => ["der", "pem"];

    [Theory]
    [MemberData(nameof(PublicKeyEncodings))]
    public async Task Hs256_signed_with_the_rsa_public_key_is_refused(string encoding)
    {
        await using var harness = await Harness.StartAsync(arrange: provider =>
        {
            var secret = encoding == "der"
                ? provider.SigningKey.ExportSubjectPublicKeyInfo()
                : Encoding.ASCII.GetBytes(provider.SigningKey.ExportSubjectPublicKeyInfoPem());
            provider.WriteIdToken = claims => TestJwt.Hs256(secret, claims);
        });

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("algorithm 'HS256'", failure.ErrorDescription, StringComparison.Ordinal);
        Assert.Equal(1, harness.Provider.DiscoveryRequests);
    }

    [Fact]
    public async Task Rs256_is_refused_when_only_es256_is_allowed()
    {
        await using var harness = await Harness.StartAsync(options =>
        {
            options.AllowedSigningAlgorithms.Clear();
            options.AllowedSigningAlgorithms.Add("ES256");
        });

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
    }

    [Theory]
    [InlineData("https://evil.test")]
    [InlineData("https://op.test/")]
    [InlineData("https://OP.test")]
    public async Task Issuer_must_match_exactly(string issuer)
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims["iss"] = issuer);

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("issuer", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audience_must_contain_the_client_id()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims["aud"] = "another-client");

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
    }

    [Fact]
    public async Task Several_audiences_need_azp_naming_this_client()
    {
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.EditClaims = claims => claims["aud"] = new[] { FakeOpenIdProvider.ClientId, "another-client" });

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
        harness.NewBrowser();
        harness.Provider.EditClaims = claims =>
        {
            claims["aud"] = new[] { FakeOpenIdProvider.ClientId, "another-client" };
            claims["azp"] = FakeOpenIdProvider.ClientId;
        };
        await harness.LoginSucceedsAsync();
    }

    [Fact]
    public async Task Expired_token_is_refused_beyond_the_clock_skew()
    {
        await using var harness = await Harness.StartAsync();
        var now = harness.Time.GetUtcNow().ToUnixTimeSeconds();

        harness.Provider.EditClaims = claims => claims["exp"] = now - 61;
        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
        Assert.Contains("expired", failure.ErrorDescription, StringComparison.Ordinal);

        harness.NewBrowser();
        harness.Provider.EditClaims = claims => claims["exp"] = now - 59;
        await harness.LoginSucceedsAsync();
    }

    [Fact]
    public async Task Token_with_a_critical_header_parameter_the_client_does_not_understand_is_refused()
    {
        // RFC 7515 section 4.1.11: a JWS whose "crit" names an extension the recipient does not understand is invalid.
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.WriteIdToken = claims => TestJwt.Rs256WithHeader(provider.SigningKey,
                new Dictionary<string, object?> { ["crit"] = new[] { "urn:example:must-understand" }, ["urn:example:must-understand"] = true }, claims));

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("crit", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"exp\"")]
    [InlineData("[\"exp\"]")]
    public async Task Token_with_a_malformed_crit_header_is_refused(string crit)
    {
        // RFC 7515 section 4.1.11: crit is a non-empty array naming extension parameters, never a registered one.
        await using var harness = await Harness.StartAsync(arrange: provider =>
            provider.WriteIdToken = claims => TestJwt.Rs256WithHeader(provider.SigningKey,
                new Dictionary<string, object?> { ["crit"] = System.Text.Json.JsonDocument.Parse(crit).RootElement.Clone(), ["exp"] = 1 }, claims));

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
    }

    [Fact]
    public async Task Token_without_exp_is_refused()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims.Remove("exp"));

        await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
    }

    [Theory]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task Token_from_the_future_is_refused_beyond_the_clock_skew(string claim)
    {
        await using var harness = await Harness.StartAsync();
        var now = harness.Time.GetUtcNow().ToUnixTimeSeconds();

        harness.Provider.EditClaims = claims => claims[claim] = now + 61;
        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);
        Assert.Contains(claim, failure.ErrorDescription, StringComparison.Ordinal);

        harness.NewBrowser();
        harness.Provider.EditClaims = claims => claims[claim] = now + 59;
        await harness.LoginSucceedsAsync();
    }

    [Theory]
    [InlineData(300_000_000_000L)]
    [InlineData(long.MaxValue)]
    public async Task Nbf_beyond_the_last_representable_date_is_refused(long notBefore)
    {
        // RFC 7519 section 4.1.5: the token must not be accepted before nbf, however far away that is.
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims["nbf"] = notBefore);

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("nbf", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_nonce_is_refused()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims.Remove("nonce"));

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("no nonce", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mismatched_nonce_is_refused()
    {
        await using var harness = await Harness.StartAsync(arrange: provider => provider.EditClaims = claims => claims["nonce"] = "a-nonce-from-another-login");

        var failure = await harness.LoginFailsAsync(OidcClientErrors.InvalidIdToken);

        Assert.Contains("nonce does not match", failure.ErrorDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nonce_of_another_login_in_the_same_browser_is_refused()
    {
        await using var harness = await Harness.StartAsync();
        var first = await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");
        var firstNonce = harness.Provider.LastAuthorizeRequest!["nonce"];
        harness.Provider.EditClaims = claims => claims["nonce"] = firstNonce;

        await harness.Browser.FollowUntilAsync("/login", "/signin-oidc");
        using var response = await harness.Browser.FollowAsync(harness.Browser.History[^1]);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(OidcClientErrors.InvalidIdToken, harness.App.LastFailure.Error);
        Assert.NotEqual(first, harness.Browser.History[^1]);
    }

    [Fact]
    public async Task Token_validated_event_sees_all_claims_and_can_fail_the_sign_in()
    {
        string? seenEmail = null;
        await using var harness = await Harness.StartAsync(options =>
            options.Events.OnTokenValidated = context =>
            {
                seenEmail = context.IdTokenIdentity.FindFirst("email")?.Value;
                if (context.IdToken.GetClaim("network_type").Value != "TESTNET")
                {
                    context.Fail("wrong network");
                }

                return Task.CompletedTask;
            });

        using var response = await harness.LoginAsync();

        Assert.Equal($"{FakeOpenIdProvider.ClientId}+{FakeOpenIdProvider.Subject}@xumm.me", seenEmail);
        Assert.Equal("wrong network", Assert.Single(harness.App.Failures).Message);
    }
}
