using System.Security.Cryptography;
using System.Text;

namespace LoadDriver;

/// <summary>PKCE S256 pairs and other random protocol values (RFC 7636).</summary>
public static class Pkce
{
    public static string RandomValue(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    public static (string Verifier, string Challenge) NewPair()
    {
        var verifier = RandomValue();
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string Base64Url(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
