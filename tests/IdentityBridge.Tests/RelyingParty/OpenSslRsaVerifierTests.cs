using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IdentityBridge.RelyingParty;
using IdentityBridge.RelyingParty.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>
/// The direct libcrypto path for RS256/384/512 signatures: it must refuse every signature the platform
/// refuses, reuse its contexts safely across threads and failures, and step aside for what it does not handle.
/// </summary>
public sealed class OpenSslRsaVerifierTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyUGVvcGxlIn0");

    [Fact]
    public void Runs_wherever_linux_has_openssl_3()
    {
        var expected = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out _);

        Assert.Equal(expected, OpenSslRsaVerifier.IsAvailable);
    }

    public static TheoryData<string, string> KeyForms => new()
    {
        { "RS256", "parameters" },
        { "RS384", "rsa" },
        { "RS512", "jwk" },
        { "RS256", "x509" },
    };

    [Theory]
    [MemberData(nameof(KeyForms))]
    public void Accepts_a_good_signature_and_refuses_every_altered_one(string algorithm, string form)
    {
        RequireDirectPath();
        var key = PublicKey(TestKeys.First, form);
        var hash = HashOf(algorithm);
        var signature = TestKeys.First.SignData(Message, hash, RSASignaturePadding.Pkcs1);

        Assert.True(Verify(key, algorithm, Message, signature));

        var flipped = (byte[])signature.Clone();
        flipped[^1] ^= 0x01;
        Assert.False(Verify(key, algorithm, Message, flipped));

        var otherMessage = (byte[])Message.Clone();
        otherMessage[3] ^= 0x20;
        Assert.False(Verify(key, algorithm, otherMessage, signature));

        Assert.False(Verify(key, algorithm, Message, signature[..^1]));
        Assert.False(Verify(key, algorithm, Message, [0, .. signature]));
        Assert.False(Verify(key, algorithm, Message, []));
        Assert.False(Verify(key, algorithm, Message, TestKeys.Stranger.SignData(Message, hash, RSASignaturePadding.Pkcs1)));
        Assert.False(Verify(key, algorithm, Message, TestKeys.First.SignData(Message, hash, RSASignaturePadding.Pss)));
        var otherHash = hash == HashAlgorithmName.SHA256 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        Assert.False(Verify(key, algorithm, Message, TestKeys.First.SignData(Message, otherHash, RSASignaturePadding.Pkcs1)));

        // The contexts that saw the failures still accept the good signature.
        Assert.True(Verify(key, algorithm, Message, signature));
    }

    [Fact]
    public void Contexts_are_shared_safely_between_threads()
    {
        RequireDirectPath();
        var key = PublicKey(TestKeys.Second, "jwk");
        var good = TestKeys.Second.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var bad = TestKeys.Third.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var wrong = 0;

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var expected = i % 3 != 0;
            if (Verify(key, "RS256", Message, expected ? good : bad) != expected) Interlocked.Increment(ref wrong);
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void Steps_aside_for_what_it_does_not_handle()
    {
        RequireDirectPath();
        using var small = RSA.Create(512);
        var signature = small.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.Null(OpenSslRsaVerifier.TryVerify(new RsaSecurityKey(small.ExportParameters(false)), "RS256", Message, signature, out _));

        var rsaKey = PublicKey(TestKeys.First, "parameters");
        var rs256 = TestKeys.First.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.Null(OpenSslRsaVerifier.TryVerify(rsaKey, "PS256", Message, rs256, out _));
        Assert.Null(OpenSslRsaVerifier.TryVerify(rsaKey, "HS256", Message, rs256, out _));

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Null(OpenSslRsaVerifier.TryVerify(new ECDsaSecurityKey(ec), "RS256", Message, rs256, out _));
        Assert.Null(OpenSslRsaVerifier.TryVerify(new JsonWebKey { Kty = "RSA" }, "RS256", Message, rs256, out _));

        var withChain = (JsonWebKey)PublicKey(TestKeys.First, "jwk");
        withChain.X5c.Add("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
        Assert.Null(OpenSslRsaVerifier.TryVerify(withChain, "RS256", Message, rs256, out _));
    }

    [Fact]
    public void The_first_signature_of_each_key_is_also_checked_by_the_platform()
    {
        RequireDirectPath();
        var key = PublicKey(TestKeys.Third, "parameters");
        var signature = TestKeys.Third.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.True(OpenSslRsaVerifier.TryVerify(key, "RS256", Message, signature, out var first));
        Assert.True(first);
        Assert.False(OpenSslRsaVerifier.DecidesAlone(key));

        Assert.True(OpenSslRsaVerifier.CompleteCrossCheck(key, agreed: true));
        Assert.True(OpenSslRsaVerifier.TryVerify(key, "RS256", Message, signature, out var second));
        Assert.False(second);
        Assert.True(OpenSslRsaVerifier.DecidesAlone(key));
    }

    [Fact]
    public void A_disagreement_with_the_platform_switches_the_direct_path_off()
    {
        RequireDirectPath();
        var key = PublicKey(TestKeys.First, "parameters");
        var signature = TestKeys.First.SignData(Message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        try
        {
            Assert.False(OpenSslRsaVerifier.CompleteCrossCheck(key, agreed: false));

            Assert.False(OpenSslRsaVerifier.IsAvailable);
            Assert.Null(OpenSslRsaVerifier.TryVerify(key, "RS256", Message, signature, out _));
        }
        finally
        {
            OpenSslRsaVerifier.Disabled = false;
        }

        Assert.True(OpenSslRsaVerifier.TryVerify(key, "RS256", Message, signature, out _));
    }

    [Fact]
    public async Task The_validator_refuses_altered_tokens_once_the_direct_path_decides()
    {
        RequireDirectPath();
        var signingKey = TestKeys.Second;
        var publishedKey = PublicKey(signingKey, "jwk");
        var options = ValidatorOptions(publishedKey);
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["aud"] = ClientId,
            ["sub"] = "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
            ["nonce"] = "n-0S6_WzA2Mj",
        };
        var good = TestJwt.Rs256(signingKey, null, claims);

        Assert.Null((await Validate(options, good)).Failure);
        Assert.True(OpenSslRsaVerifier.DecidesAlone(publishedKey));

        var tampered = await Validate(options, TestJwt.TamperSignature(good));
        Assert.Contains("signature", tampered.Failure?.ErrorDescription, StringComparison.Ordinal);

        var parts = good.Split('.');
        var otherSubject = TestJwt.Rs256(signingKey, null, new Dictionary<string, object?>(claims) { ["sub"] = "rOTHER" }).Split('.');
        var swapped = await Validate(options, $"{parts[0]}.{otherSubject[1]}.{parts[2]}");
        Assert.Contains("signature", swapped.Failure?.ErrorDescription, StringComparison.Ordinal);

        var stranger = await Validate(options, TestJwt.Rs256(TestKeys.Stranger, null, claims));
        Assert.NotNull(stranger.Failure);

        Assert.Null((await Validate(options, good)).Failure);
    }

    private const string Issuer = "https://oauth2.xumm.app";
    private const string ClientId = "b3c8b4a6-0c9e-4c3e-9b0a-6f1d2e3a4b5c";

    private static OidcClientOptions ValidatorOptions(SecurityKey key)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        configuration.SigningKeys.Add(key);
        var options = new OidcClientOptions
        {
            Authority = Issuer,
            MetadataAddress = Issuer + "/.well-known/openid-configuration",
            ClientId = ClientId,
            ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration),
        };
        options.AllowedSigningAlgorithms.Clear();
        options.AllowedSigningAlgorithms.Add(SecurityAlgorithms.RsaSha256);
        return options;
    }

    private static Task<IdTokenValidationResult> Validate(OidcClientOptions options, string token) =>
        OidcIdTokenValidator.ValidateAsync(options, token, "n-0S6_WzA2Mj", TimeProvider.System, NullLogger.Instance, CancellationToken.None);

    /// <summary>The direct path's answer; it must handle the key (a null would mean the test checks nothing).</summary>
    private static bool Verify(SecurityKey key, string algorithm, byte[] message, byte[] signature)
    {
        var result = OpenSslRsaVerifier.TryVerify(key, algorithm, message, signature, out _);
        Assert.NotNull(result);
        return result.Value;
    }

    private static void RequireDirectPath()
    {
        // Runs_wherever_linux_has_openssl_3 states where the path must exist; elsewhere these tests have no subject.
        Assert.True(OpenSslRsaVerifier.IsAvailable, "The direct OpenSSL path is not available on this machine.");
    }

    private static HashAlgorithmName HashOf(string algorithm) => algorithm switch
    {
        "RS256" => HashAlgorithmName.SHA256,
        "RS384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static SecurityKey PublicKey(RSA key, string form)
    {
        var parameters = key.ExportParameters(false);
        switch (form)
        {
            case "parameters":
                return new RsaSecurityKey(parameters);
            case "rsa":
                var rsa = RSA.Create();
                rsa.ImportParameters(parameters);
                return new RsaSecurityKey(rsa);
            case "jwk":
                return new JsonWebKey
                {
                    Kty = "RSA",
                    N = Base64UrlEncoder.Encode(parameters.Modulus),
                    E = Base64UrlEncoder.Encode(parameters.Exponent),
                };
            default:
                var request = new CertificateRequest("CN=op.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using (var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1)))
                {
                    return new X509SecurityKey(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)));
                }
        }
    }
}
