using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.RelyingParty.Validation;

/// <summary>Maps JWS algorithms and keys to their family, so that a key is only tried for its own kind.</summary>
internal static class SigningKeyFamilies
{
    public const string Rsa = "RSA";
    public const string EllipticCurve = "EC";

    public static string? OfAlgorithm(string algorithm) => algorithm switch
    {
        "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => Rsa,
        "ES256" or "ES384" or "ES512" => EllipticCurve,
        _ => null,
    };

    public static string? OfKey(SecurityKey key) => key switch
    {
        RsaSecurityKey => Rsa,
        ECDsaSecurityKey => EllipticCurve,
        X509SecurityKey x509 => x509.PublicKey switch
        {
            RSA => Rsa,
            ECDsa => EllipticCurve,
            _ => null,
        },
        JsonWebKey jwk => jwk.Kty switch
        {
            JsonWebAlgorithmsKeyTypes.RSA => Rsa,
            JsonWebAlgorithmsKeyTypes.EllipticCurve => EllipticCurve,
            _ => null,
        },
        _ => null,
    };
}
