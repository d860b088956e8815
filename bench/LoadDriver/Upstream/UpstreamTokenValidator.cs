using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoadDriver.Upstream;

/// <summary>
/// The ID token check of the bridge's relying party (IdentityBridge.RelyingParty, OidcIdTokenValidator),
/// step for step and with the same JsonWebTokenHandler settings, because that class is internal to its
/// assembly: parse, algorithm allow-list before any key is touched, keys of the token's family (all of
/// them when the token has no kid), signature and audience by the handler, then exact issuer, sub, azp,
/// exp/iat with 60 s skew, and the nonce in constant time.
/// </summary>
public sealed class UpstreamTokenValidator
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };
    private static readonly string[] AllowedAlgorithms = ["RS256"];
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<SecurityKey> _keys;
    private readonly string _issuer;
    private readonly string _clientId;

    public UpstreamTokenValidator(IEnumerable<SecurityKey> keys, string issuer, string clientId)
    {
        _keys = keys.ToList();
        _issuer = issuer;
        _clientId = clientId;
    }

    public async Task<bool> ValidateAsync(string idToken, string expectedNonce, DateTimeOffset now)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(idToken);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return false;
        }
        if (token.IsEncrypted || !AllowedAlgorithms.Contains(token.Alg)) return false;

        var keys = _keys.Where(k => k is JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA } or RsaSecurityKey).ToList();
        if (!string.IsNullOrEmpty(token.Kid))
        {
            var matching = keys.Where(k => string.Equals(k.KeyId, token.Kid, StringComparison.Ordinal)).ToList();
            if (matching.Count > 0) keys = matching;
        }
        if (keys.Count == 0) return false;

        var result = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateAudience = true,
            RequireAudience = true,
            ValidAudience = _clientId,
            NameClaimType = "name",
            RoleClaimType = "role",
        });
        if (!result.IsValid) return false;

        if (!string.Equals(token.Issuer, _issuer, StringComparison.Ordinal) || string.IsNullOrEmpty(token.Subject)) return false;
        if (token.TryGetPayloadValue<string>("azp", out var azp) && !string.Equals(azp, _clientId, StringComparison.Ordinal)) return false;
        if (token.Audiences.Count() > 1 && azp is null) return false;
        if (!TryGetTime(token, "exp", out var expires) || now > expires + Skew) return false;
        if (TryGetTime(token, "nbf", out var notBefore) && notBefore > now + Skew) return false;
        if (!TryGetTime(token, "iat", out var issuedAt) || issuedAt > now + Skew) return false;
        if (!token.TryGetPayloadValue<string>("nonce", out var nonce) || string.IsNullOrEmpty(nonce)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expectedNonce), Encoding.UTF8.GetBytes(nonce));
    }

    private static bool TryGetTime(JsonWebToken token, string claim, out DateTimeOffset value)
    {
        value = default;
        if (!token.TryGetPayloadValue<long>(claim, out var seconds) || seconds <= 0 || seconds > 253402300799) return false;
        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }
}
