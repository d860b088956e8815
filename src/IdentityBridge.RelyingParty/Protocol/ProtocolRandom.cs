using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IdentityBridge.RelyingParty.Protocol;

/// <summary>Random protocol values (nonce, PKCE verifier) and the PKCE S256 transform.</summary>
internal static class ProtocolRandom
{
    /// <summary>256 random bits, base64url without padding (43 characters).</summary>
    public static string CreateToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The S256 code challenge of a PKCE verifier (RFC 7636 §4.2).</summary>
    public static string S256Challenge(string verifier) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>Compares two strings in time independent of where they differ.</summary>
    public static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
