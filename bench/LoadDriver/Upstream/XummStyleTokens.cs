using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoadDriver.Upstream;

/// <summary>
/// ID tokens shaped like the ones Sign in with Xumm returns: RS256, no <c>kid</c> in the header, one
/// published key without a <c>kid</c> either, and the claim set the platform sends (iss, aud = the app's
/// API key, sub = r-address, synthetic email, app_name, payload and user token ids, network fields, nonce,
/// scope, iat, exp).
/// </summary>
public sealed class XummStyleTokens
{
    public const string Issuer = "https://oauth2.xumm.app";
    public const string ClientId = "3f5b1a4e-2c7d-4e8f-9a6b-1d2c3e4f5a6b";

    private static readonly string[] Wallets =
    [
        "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
        "rLHzPsX6oXkzU2qL12kHCH8G8cnZv1rBJh", "rGWrZyQqhTp9Xu7G5Pkayo7bXjH4k4QYpf",
    ];

    private XummStyleTokens(JsonWebKey publishedKey, IReadOnlyList<(string Token, string Nonce)> tokens)
    {
        PublishedKey = publishedKey;
        Tokens = tokens;
    }

    /// <summary>The provider's public key as its JWKS publishes it (no kid).</summary>
    public JsonWebKey PublishedKey { get; }

    /// <summary>The published key as a .NET RSA object (for a baseline without the JWT layer).</summary>
    public RSA CreatePublicRsa() => RSA.Create(new RSAParameters
    {
        Modulus = Base64UrlEncoder.DecodeBytes(PublishedKey.N),
        Exponent = Base64UrlEncoder.DecodeBytes(PublishedKey.E),
    });

    /// <summary>Distinct signed tokens with the nonce each was issued for.</summary>
    public IReadOnlyList<(string Token, string Nonce)> Tokens { get; }

    public static XummStyleTokens Create(int count, DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        var signingKey = new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: true)); // no KeyId: no kid header
        var published = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(includePrivateParameters: false)));
        published.Kid = null;
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var credentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256);
        var tokens = new List<(string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var wallet = Wallets[i % Wallets.Length];
            var nonce = Pkce.RandomValue(16);
            var claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["iss"] = Issuer,
                ["aud"] = ClientId,
                ["sub"] = wallet,
                ["email"] = $"{ClientId}+{wallet}@xumm.me",
                ["app_name"] = "IdentityBridge",
                ["payload_uuidv4"] = Guid.NewGuid().ToString(),
                ["usertoken_uuidv4"] = Guid.NewGuid().ToString(),
                ["network_type"] = "MAINNET",
                ["network_endpoint"] = "wss://xrplcluster.com",
                ["network_id"] = 0,
                ["nonce"] = nonce,
                ["scope"] = "openid",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(24).ToUnixTimeSeconds(),
            };
            tokens.Add((handler.CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = credentials }), nonce));
        }
        return new XummStyleTokens(published, tokens);
    }
}
