using IdentityBridge.Provider.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>Signs claim sets with the current key of an algorithm; times come from the claims, never from the handler's clock.</summary>
public sealed class JwtSigner(SigningKeyStore keys)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public string DefaultAlgorithm => keys.DefaultAlgorithm;

    /// <summary>A compact JWS over <paramref name="claims"/> with <c>typ</c> = <paramref name="type"/>.</summary>
    public string Sign(IDictionary<string, object> claims, string algorithm, string type) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = keys.GetSigningCredentials(algorithm),
            TokenType = type,
        });
}
