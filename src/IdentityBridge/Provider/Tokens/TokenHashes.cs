using System.Security.Cryptography;
using System.Text;

namespace IdentityBridge.Provider.Tokens;

/// <summary>Handles and their stored form: a handle is 256 random bits; only its SHA-256 is stored.</summary>
public static class TokenHashes
{
    /// <summary>A new opaque handle (authorization code, refresh token): 32 random bytes, base64url.</summary>
    public static string NewHandle() => UrlSafe.NewId(32);

    /// <summary>The storage key of a handle or marker: base64url(SHA-256(value)).</summary>
    public static string Key(string value) => UrlSafe.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>OIDC Core §3.1.3.6 at_hash: left half of SHA-256 over the ASCII access token (RS256 and ES256 both use SHA-256).</summary>
    public static string AtHash(string accessToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return UrlSafe.Encode(hash.AsSpan(0, hash.Length / 2));
    }
}
