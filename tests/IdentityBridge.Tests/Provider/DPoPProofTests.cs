using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace IdentityBridge.Tests.Provider;

/// <summary>DPoP proof validation (RFC 9449 §4.3), rule by rule, on <see cref="DPoPProofValidator"/> itself.</summary>
public sealed class DPoPProofTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string Url = "http://localhost/connect/token";

    private DPoPProofValidator Validator => host.Services.GetRequiredService<DPoPProofValidator>();

    private Task<DPoPProofResult> ValidateAsync(string proof, string method = "POST", string url = Url, string? accessToken = null) =>
        Validator.ValidateAsync(new StringValues(proof), method, url, accessToken, CancellationToken.None);

    private static void AssertRefused(DPoPProofResult result)
    {
        Assert.Null(result.Jkt);
        Assert.NotNull(result.Problem);
    }

    [Fact]
    public async Task A_good_proof_gives_the_thumbprint_of_its_key()
    {
        foreach (var key in new[] { DPoPKey.NewEc(), DPoPKey.NewRsa() })
        {
            var result = await ValidateAsync(key.Proof(host.Clock, "POST", Url));
            Assert.Null(result.Problem);
            Assert.Equal(key.Thumbprint(), result.Jkt);
        }
        var rsa = DPoPKey.NewRsa();
        Assert.Equal(rsa.Thumbprint(), (await ValidateAsync(rsa.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["alg"] = "PS256"))).Jkt);
    }

    [Fact]
    public async Task No_header_is_no_proof()
    {
        var result = await Validator.ValidateAsync(StringValues.Empty, "POST", Url, null, CancellationToken.None);
        Assert.True(result.IsAbsent);
    }

    [Fact]
    public async Task Exactly_one_DPoP_header()
    {
        var key = DPoPKey.NewEc();
        var two = new StringValues([key.Proof(host.Clock, "POST", Url), key.Proof(host.Clock, "POST", Url)]);
        AssertRefused(await Validator.ValidateAsync(two, "POST", Url, null, CancellationToken.None));
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "POST", Url) + "," + key.Proof(host.Clock, "POST", Url)));
        AssertRefused(await ValidateAsync("not a jwt"));
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt")]
    [InlineData(null)]
    public async Task The_typ_must_be_dpop_jwt(string? typ)
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h =>
        {
            if (typ is null) h.Remove("typ");
            else h["typ"] = typ;
        })));
        // RFC 7515 §4.1.9: the media type with its prefix, in any case, is the same type.
        Assert.NotNull((await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["typ"] = "application/DPoP+JWT"))).Jkt);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS256")]
    [InlineData("ES384")]
    public async Task The_alg_must_be_an_advertised_asymmetric_one(string alg)
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["alg"] = alg)));
    }

    [Fact]
    public async Task The_alg_must_fit_the_key()
    {
        // An EC key cannot make an RS256 signature, whatever the header says.
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["alg"] = "RS256")));
    }

    [Fact]
    public async Task The_jwk_must_be_public()
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["jwk"] = key.Jwk(includePrivate: true))));
        var rsa = DPoPKey.NewRsa();
        AssertRefused(await ValidateAsync(rsa.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["jwk"] = rsa.Jwk(includePrivate: true))));
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h.Remove("jwk"))));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"kty\":7}")]
    [InlineData("{\"kty\":\"RSA\",\"n\":\"!!\",\"e\":\"AQAB\"}")]
    [InlineData("{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}")]
    [InlineData("{\"kty\":\"oct\"}")]
    public async Task A_malformed_jwk_is_refused_not_an_error(string jwk)
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["jwk"] = System.Text.Json.Nodes.JsonNode.Parse(jwk))));
    }

    [Fact]
    public async Task The_signature_must_verify_with_the_jwk()
    {
        var key = DPoPKey.NewEc();
        var other = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(DPoPKey.Claims(host.Clock, "POST", Url), h => h["jwk"] = other.Jwk())));
        var proof = key.Proof(host.Clock, "POST", Url);
        var tampered = proof[..(proof.LastIndexOf('.') + 1)] + other.Proof(host.Clock, "POST", Url).Split('.')[2];
        AssertRefused(await ValidateAsync(tampered));
    }

    [Fact]
    public async Task The_htm_must_be_the_request_method()
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "GET", Url)));
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "post", Url)));
    }

    [Theory]
    [InlineData("http://localhost/connect/userinfo")]
    [InlineData("https://localhost/connect/token")]
    [InlineData("http://evil.example/connect/token")]
    [InlineData("http://localhost:8080/connect/token")]
    [InlineData("/connect/token")]
    public async Task The_htu_must_be_the_endpoint_url(string htu)
    {
        var key = DPoPKey.NewEc();
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "POST", htu)));
    }

    [Theory]
    [InlineData("http://localhost/connect/token?x=1")]
    [InlineData("http://localhost/connect/token#f")]
    [InlineData("HTTP://LOCALHOST/connect/token")]
    [InlineData("http://localhost:80/connect/token")]
    [InlineData("http://localhost/connect/%74oken")]
    public async Task The_htu_is_compared_without_query_and_fragment_after_normalisation(string htu)
    {
        var key = DPoPKey.NewEc();
        var result = await ValidateAsync(key.Proof(host.Clock, "POST", htu));
        Assert.Null(result.Problem);
    }

    [Theory]
    [InlineData(-61)]
    [InlineData(-3600)]
    [InlineData(6)]
    [InlineData(3600)]
    public async Task The_iat_must_be_within_the_window(int offsetSeconds)
    {
        var key = DPoPKey.NewEc();
        var claims = DPoPKey.Claims(host.Clock, "POST", Url);
        claims["iat"] = host.Clock.GetUtcNow().AddSeconds(offsetSeconds).ToUnixTimeSeconds();
        AssertRefused(await ValidateAsync(key.Proof(claims)));
    }

    [Theory]
    [InlineData(-55)]
    [InlineData(4)]
    public async Task An_iat_inside_the_window_is_accepted(int offsetSeconds)
    {
        var key = DPoPKey.NewEc();
        var claims = DPoPKey.Claims(host.Clock, "POST", Url);
        claims["iat"] = host.Clock.GetUtcNow().AddSeconds(offsetSeconds).ToUnixTimeSeconds();
        Assert.Null((await ValidateAsync(key.Proof(claims))).Problem);
    }

    [Fact]
    public async Task The_iat_and_jti_are_required()
    {
        var key = DPoPKey.NewEc();
        var claims = DPoPKey.Claims(host.Clock, "POST", Url);
        claims.Remove("iat");
        AssertRefused(await ValidateAsync(key.Proof(claims)));
        claims = DPoPKey.Claims(host.Clock, "POST", Url);
        claims.Remove("jti");
        AssertRefused(await ValidateAsync(key.Proof(claims)));
    }

    [Fact]
    public async Task A_jti_is_accepted_once()
    {
        var key = DPoPKey.NewEc();
        var proof = key.Proof(host.Clock, "POST", Url);
        Assert.Null((await ValidateAsync(proof)).Problem);
        AssertRefused(await ValidateAsync(proof));
        // The same jti in a new proof (another iat) is still a replay.
        var claims = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(proof.Split('.')[1])))!.AsObject();
        claims["iat"] = claims["iat"]!.GetValue<long>() - 1;
        AssertRefused(await ValidateAsync(key.Proof(claims)));
    }

    [Fact]
    public async Task A_jti_is_kept_in_the_grants_table_while_the_window_lasts_then_purged()
    {
        var key = DPoPKey.NewEc();
        var proof = key.Proof(host.Clock, "POST", Url);
        var jti = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(proof.Split('.')[1])).RootElement.GetProperty("jti").GetString()!;
        Assert.Null((await ValidateAsync(proof)).Problem);
        var rowKey = TokenHashes.Key("dpop:" + key.Thumbprint() + ":" + jti);
        var row = await host.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Grants, g => g.Key == rowKey));
        Assert.Equal(GrantTypes.DPoPProof, row.Type);
        Assert.True(row.ExpiresAt <= host.Clock.GetUtcNow() + DPoPProofValidator.Window);

        host.Clock.Advance(DPoPProofValidator.Window + IdentityBridge.Provider.Maintenance.DatabaseRetention.GrantGrace + TimeSpan.FromSeconds(1));
        await host.Services.GetRequiredService<IdentityBridge.Provider.Maintenance.DatabaseRetention>().PurgeAsync(CancellationToken.None);
        Assert.False(await host.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Grants, g => g.Key == rowKey)));
    }

    [Fact]
    public async Task The_ath_must_hash_the_access_token_presented()
    {
        var key = DPoPKey.NewEc();
        const string token = "an.access.token";
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "GET", Url), "GET", accessToken: token));
        AssertRefused(await ValidateAsync(key.Proof(host.Clock, "GET", Url, "another.access.token"), "GET", accessToken: token));
        Assert.Null((await ValidateAsync(key.Proof(host.Clock, "GET", Url, token), "GET", accessToken: token)).Problem);
    }
}
