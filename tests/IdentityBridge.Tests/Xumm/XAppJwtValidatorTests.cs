using System.Security.Cryptography;
using System.Text;
using IdentityBridge.Xumm;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Xumm;

public sealed class XAppJwtValidatorTests
{
    private const string ApiKey = "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
    private const string ApiSecret = "c5bc4ccc-28fa-4080-b702-0d3aac97b993";
    private const string Account = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task Token_minted_like_xumm_yields_the_identity()
    {
        var token = Mint(d => d with
        {
            UserToken = "691d5ae8-968b-44c8-8835-f25da1214f35",
            AppName = "Identity Bridge",
            NetworkType = "TESTNET",
            NetworkEndpoint = "wss://s.altnet.rippletest.net:51233",
            NetworkId = 1,
        });

        var result = await Validator().ValidateAsync(token);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var identity = result.Identity;
        Assert.Equal(Account, identity.Account);
        Assert.Equal("TESTNET", identity.Network);
        Assert.Equal("wss://s.altnet.rippletest.net:51233", identity.NetworkEndpoint);
        Assert.Equal(1, identity.NetworkId);
        Assert.Equal("691d5ae8-968b-44c8-8835-f25da1214f35", identity.UserToken);
        Assert.Equal("Identity Bridge", identity.AppName);
        Assert.Equal(_time.GetUtcNow(), identity.IssuedAt);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(24), identity.ExpiresAt);
    }

    [Fact]
    public void Minted_token_carries_the_claims_xumm_uses()
    {
        var token = Mint(d => d with { UserToken = "u-1", AppName = "App" });
        var payload = Decode(token.Split('.')[1]);
        var header = Decode(token.Split('.')[0]);

        Assert.Contains("\"alg\":\"HS256\"", header, StringComparison.Ordinal);
        foreach (var claim in new[]
        {
            $"\"client_id\":\"{ApiKey}\"", $"\"app_uuidv4\":\"{ApiKey}\"", $"\"sub\":\"{Account}\"",
            $"\"account\":\"{Account}\"", "\"usertoken_uuidv4\":\"u-1\"", "\"app_name\":\"App\"",
            "\"network_type\":\"MAINNET\"", "\"network_id\":0", "\"iss\":\"https://xumm.app\"", "\"iat\":", "\"exp\":",
        })
        {
            Assert.Contains(claim, payload, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Tampered_payload_is_rejected()
    {
        var parts = Mint().Split('.');
        var other = Mint(d => d with { Account = XrplAddress.CreateRandom() }).Split('.');

        var result = await Validator().ValidateAsync($"{parts[0]}.{other[1]}.{parts[2]}");

        Assert.Equal(XAppJwtFailure.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task Token_signed_with_another_secret_is_rejected()
    {
        var token = XAppJwt.Create(Descriptor(), "ffffffff-28fa-4080-b702-0d3aac97b993");

        Assert.Equal(XAppJwtFailure.InvalidSignature, (await Validator().ValidateAsync(token)).Failure);
    }

    [Fact]
    public async Task Expired_token_is_rejected_after_the_skew()
    {
        var token = Mint();
        var validator = Validator();

        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(60));
        Assert.True((await validator.ValidateAsync(token)).Succeeded);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(XAppJwtFailure.Expired, (await validator.ValidateAsync(token)).Failure);
    }

    [Fact]
    public async Task Token_issued_in_the_future_is_rejected()
    {
        var soon = Mint(d => d with { IssuedAt = _time.GetUtcNow().AddSeconds(60) });
        var later = Mint(d => d with { IssuedAt = _time.GetUtcNow().AddSeconds(61) });

        Assert.True((await Validator().ValidateAsync(soon)).Succeeded);
        Assert.Equal(XAppJwtFailure.NotYetValid, (await Validator().ValidateAsync(later)).Failure);
    }

    [Fact]
    public async Task Token_for_another_application_is_rejected()
    {
        var token = Mint(d => d with { ApiKey = "00000000-5b7d-4e8f-9a0b-1c2d3e4f5a6b" });

        Assert.Equal(XAppJwtFailure.WrongClient, (await Validator().ValidateAsync(token)).Failure);
    }

    [Fact]
    public async Task Client_id_comparison_is_case_sensitive()
    {
        var token = Mint(d => d with { ApiKey = ApiKey.ToUpperInvariant() });

        Assert.Equal(XAppJwtFailure.WrongClient, (await Validator().ValidateAsync(token)).Failure);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS512")]
    [InlineData("RS256")]
    public async Task Algorithms_other_than_hs256_are_refused(string alg)
    {
        var payload = Mint().Split('.')[1];
        var header = Base64UrlEncoder.Encode($$"""{"alg":"{{alg}}","typ":"JWT"}""");
        var signature = alg == "none" ? string.Empty : Base64UrlEncoder.Encode(HmacSha256($"{header}.{payload}"));

        var result = await Validator().ValidateAsync($"{header}.{payload}.{signature}");

        Assert.Equal(XAppJwtFailure.AlgorithmNotAllowed, result.Failure);
    }

    [Fact]
    public async Task Hand_built_hs256_token_with_the_secret_is_accepted()
    {
        // Guards the test above: the same construction with HS256 passes, so only the algorithm decided.
        var payload = Mint().Split('.')[1];
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        var signature = Base64UrlEncoder.Encode(HmacSha256($"{header}.{payload}"));

        Assert.True((await Validator().ValidateAsync($"{header}.{payload}.{signature}")).Succeeded);
    }

    [Theory]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":["urn:example:must-understand"],"urn:example:must-understand":true}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":[]}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":"exp"}""")]
    public async Task Token_with_a_crit_header_is_malformed(string headerJson)
    {
        // RFC 7515 section 4.1.11: no JWS extension is understood here, so a crit header makes the token invalid.
        var payload = Mint().Split('.')[1];
        var header = Base64UrlEncoder.Encode(headerJson);
        var signature = Base64UrlEncoder.Encode(HmacSha256($"{header}.{payload}"));

        Assert.Equal(XAppJwtFailure.Malformed, (await Validator().ValidateAsync($"{header}.{payload}.{signature}")).Failure);
    }

    [Theory]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi")]
    [InlineData("not-an-address")]
    [InlineData("XVLhHMPHU98es4dbozjVtdWzVrDjtV18pX8yuPT7y4xaEHi")]
    public async Task Subject_that_is_not_an_r_address_is_rejected(string subject)
    {
        var token = Mint(d => d with { Account = subject });

        Assert.Equal(XAppJwtFailure.InvalidSubject, (await Validator().ValidateAsync(token)).Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.!!!.abc")]
    public async Task Garbage_is_malformed(string? token) =>
        Assert.Equal(XAppJwtFailure.Malformed, (await Validator().ValidateAsync(token)).Failure);

    [Fact]
    public async Task Token_without_expiry_is_rejected()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"client_id":"{{ApiKey}}","sub":"{{Account}}","iat":{{_time.GetUtcNow().ToUnixTimeSeconds()}}}""");
        var signature = Base64UrlEncoder.Encode(HmacSha256($"{header}.{payload}"));

        Assert.Equal(XAppJwtFailure.MissingClaim, (await Validator().ValidateAsync($"{header}.{payload}.{signature}")).Failure);
    }

    [Theory]
    [InlineData("300000000000")]
    [InlineData("9223372036854775807")]
    public async Task Nbf_beyond_the_last_representable_date_is_not_yet_valid(string notBefore)
    {
        // RFC 7519 section 4.1.5: never accepted before nbf, however far away that is.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"client_id":"{{ApiKey}}","sub":"{{Account}}","iat":{{now}},"exp":{{now + 3600}},"nbf":{{notBefore}}}""");
        var signature = Base64UrlEncoder.Encode(HmacSha256($"{header}.{payload}"));

        Assert.Equal(XAppJwtFailure.NotYetValid, (await Validator().ValidateAsync($"{header}.{payload}.{signature}")).Failure);
    }

    [Fact]
    public void Secrets_too_short_for_an_hs256_key_are_refused_without_echoing_them()
    {
        const string shortSecret = "0123456789abcdef0123456789abcde";

        var validatorError = Assert.Throws<ArgumentException>(() => new XAppJwtValidator(ApiKey, shortSecret, _time));
        var createError = Assert.Throws<ArgumentException>(() => XAppJwt.Create(Descriptor(), shortSecret));
        var problems = new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = shortSecret }.Validate();

        Assert.DoesNotContain(shortSecret, validatorError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(shortSecret, createError.Message, StringComparison.Ordinal);
        Assert.Contains(problems, p => p.StartsWith("Xumm:ApiSecret", StringComparison.Ordinal));
    }

    private XAppJwtValidator Validator() => new(ApiKey, ApiSecret, _time);

    private XAppJwtDescriptor Descriptor() => new() { ApiKey = ApiKey, Account = Account, IssuedAt = _time.GetUtcNow() };

    private string Mint(Func<XAppJwtDescriptor, XAppJwtDescriptor>? change = null) =>
        XAppJwt.Create((change ?? (d => d))(Descriptor()), ApiSecret);

    private static byte[] HmacSha256(string signingInput) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(ApiSecret), Encoding.UTF8.GetBytes(signingInput));

    private static string Decode(string segment) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(segment));
}
