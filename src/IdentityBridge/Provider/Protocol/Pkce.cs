using System.Security.Cryptography;
using System.Text;

namespace IdentityBridge.Provider.Protocol;

/// <summary>RFC 7636 with S256 only (plain is refused).</summary>
public static class Pkce
{
    public const string S256 = "S256";

    /// <summary>A verifier or challenge: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: >= 43 and <= 128 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>
    /// An S256 challenge (RFC 7636 §4.2): BASE64URL(SHA-256(verifier)) without padding, so exactly 43 characters of
    /// [A-Z a-z 0-9 - _]. A value of any other shape is not the hash of any verifier.
    /// </summary>
    public static bool IsS256Challenge(string? value) =>
        value is { Length: 43 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Challenge(string verifier) => UrlSafe.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static bool Verify(string verifier, string challenge) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Challenge(verifier)), Encoding.ASCII.GetBytes(challenge));
}
