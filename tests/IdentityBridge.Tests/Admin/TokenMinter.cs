using System.Security.Claims;
using System.Security.Cryptography;
using IdentityBridge.Admin;
using IdentityBridge.Provider.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Admin;

/// <summary>
/// Mints access tokens shaped like the bridge's (RFC 9068 claims) with a key of its own, standing in
/// for the bridge's signing key until the provider issues real ones.
/// </summary>
public sealed class TokenMinter
{
    public RsaSecurityKey Key { get; } = NewKey("bridge-test-key");

    public static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    public string Mint(string subject, string scope, DateTimeOffset now, string? clientId = "admin-tool", string issuer = Infrastructure.BridgeFactory.Issuer,
        TimeSpan? lifetime = null, SecurityKey? key = null, string? audience = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["scope"] = scope,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (clientId is not null) claims["client_id"] = clientId;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(15));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience ?? IdentityBridge.Provider.AdminApiResource.Uri(issuer),
            Claims = claims,
            IssuedAt = (expires < now ? expires : now).UtcDateTime.AddMinutes(-1),
            NotBefore = (expires < now ? expires : now).UtcDateTime.AddMinutes(-1),
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.RsaSha256),
        });
    }
}

/// <summary>
/// Validates tokens signed with the <see cref="TokenMinter"/>'s key: signature and type only. Issuer and
/// lifetime are left to the admin authentication handler, which must check them itself.
/// </summary>
public sealed class TestAdminTokens(AccessTokenValidator validator, TokenMinter minter) : AdminAccessTokens(validator)
{
    public override async Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = minter.Key,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidTypes = ["at+jwt"],
        });
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
    }
}
