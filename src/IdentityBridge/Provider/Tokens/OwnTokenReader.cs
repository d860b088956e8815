using IdentityBridge.Provider.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Checks that a JWT was signed by one of our published keys, was issued by us and has the expected
/// <c>typ</c>. Lifetime and audience are left to the caller (each use has its own rule, on our clock).
/// </summary>
public sealed class OwnTokenReader(SigningKeyStore keys, ProviderUrls urls)
{
    public const int MaxTokenLength = 16 * 1024;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>The token when valid, else null.</summary>
    public async Task<JsonWebToken?> ReadAsync(string? token, params string[] types)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !_handler.CanReadToken(token)) return null;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = urls.Issuer,
            ValidateIssuer = true,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = keys.GetValidationKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            ValidTypes = types,
            TryAllIssuerSigningKeys = false,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid ? result.SecurityToken as JsonWebToken : null;
    }
}
