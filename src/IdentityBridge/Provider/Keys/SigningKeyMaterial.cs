using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Keys;

/// <summary>
/// One asymmetric signing key in memory: the private key, its SecurityKey and SigningCredentials
/// (created once, so signature providers are cached), its public JWK and its RFC 7638 thumbprint (the kid).
/// </summary>
public sealed class SigningKeyMaterial : IDisposable
{
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    private readonly AsymmetricAlgorithm _key;

    private SigningKeyMaterial(AsymmetricAlgorithm key, string algorithm)
    {
        _key = key;
        Algorithm = algorithm;
        (KeyId, PublicJwkJson) = Describe(key, algorithm);
        SecurityKey = key switch
        {
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = KeyId },
            ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = KeyId },
            _ => throw new NotSupportedException(),
        };
        Credentials = new SigningCredentials(SecurityKey, algorithm);
        PublicKey = new JsonWebKey(PublicJwkJson);
    }

    public string Algorithm { get; }
    public string KeyId { get; }
    public string PublicJwkJson { get; }
    public SecurityKey SecurityKey { get; }
    public SigningCredentials Credentials { get; }
    /// <summary>The public half, for validating our own tokens.</summary>
    public JsonWebKey PublicKey { get; }

    public static SigningKeyMaterial Generate(string algorithm) => algorithm switch
    {
        RS256 => new SigningKeyMaterial(RSA.Create(2048), RS256),
        ES256 => new SigningKeyMaterial(ECDsa.Create(ECCurve.NamedCurves.nistP256), ES256),
        _ => throw new ArgumentException($"Unsupported signing algorithm '{algorithm}'.", nameof(algorithm)),
    };

    /// <summary>Loads a PKCS#8 private key (as stored, after unprotecting).</summary>
    public static SigningKeyMaterial FromPkcs8(byte[] pkcs8, string algorithm)
    {
        if (algorithm == RS256)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return new SigningKeyMaterial(rsa, RS256);
        }
        var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out _);
        return new SigningKeyMaterial(ec, ES256);
    }

    /// <summary>
    /// Reads an RSA (2048 bits or more) or EC P-256 private key from PEM: <c>PRIVATE KEY</c> (PKCS#8),
    /// <c>RSA PRIVATE KEY</c> (PKCS#1) or <c>EC PRIVATE KEY</c> (SEC 1). Returns null with a reason otherwise.
    /// </summary>
    public static SigningKeyMaterial? FromPem(string pem, out string? problem)
    {
        problem = null;
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            problem = "encrypted private keys are not supported; export the key without a passphrase";
            return null;
        }
        var wantsRsa = pem.Contains("BEGIN RSA PRIVATE KEY", StringComparison.Ordinal);
        var wantsEc = pem.Contains("BEGIN EC PRIVATE KEY", StringComparison.Ordinal);
        if (!wantsEc && (wantsRsa || pem.Contains("BEGIN PRIVATE KEY", StringComparison.Ordinal)))
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(pem);
                if (rsa.KeySize < 2048)
                {
                    problem = $"RSA keys must have at least 2048 bits (this one has {rsa.KeySize})";
                    rsa.Dispose();
                    return null;
                }
                return new SigningKeyMaterial(rsa, RS256);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                rsa.Dispose();
                if (wantsRsa)
                {
                    problem = "the RSA private key could not be read";
                    return null;
                }
            }
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            var curve = ec.ExportParameters(false).Curve;
            if (curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value && curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
            {
                problem = "EC keys must be on the P-256 curve";
                ec.Dispose();
                return null;
            }
            return new SigningKeyMaterial(ec, ES256);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ec.Dispose();
            problem = "no RSA or EC P-256 private key was found";
            return null;
        }
    }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    public void Dispose() => _key.Dispose();

    private static (string Kid, string Json) Describe(AsymmetricAlgorithm key, string algorithm)
    {
        SortedDictionary<string, string> members;
        if (key is RSA rsa)
        {
            var p = rsa.ExportParameters(false);
            members = new(StringComparer.Ordinal) { ["e"] = UrlSafe.Encode(p.Exponent!), ["kty"] = "RSA", ["n"] = UrlSafe.Encode(p.Modulus!) };
        }
        else
        {
            var p = ((ECDsa)key).ExportParameters(false);
            members = new(StringComparer.Ordinal) { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = UrlSafe.Encode(p.Q.X!), ["y"] = UrlSafe.Encode(p.Q.Y!) };
        }
        // RFC 7638: the required members, lexicographic order, no white space.
        var canonical = JsonSerializer.Serialize(members);
        var kid = UrlSafe.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        var jwk = new Dictionary<string, string>(members) { ["kid"] = kid, ["use"] = "sig", ["alg"] = algorithm };
        return (kid, JsonSerializer.Serialize(jwk));
    }
}
