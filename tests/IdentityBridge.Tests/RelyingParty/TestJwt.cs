using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>Builds JWTs byte by byte, so tests can produce every malformed or hostile variant.</summary>
internal static class TestJwt
{
    public static string Rs256(RSA key, string? kid, IReadOnlyDictionary<string, object?> payload)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        return Encode(header, payload, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>RS256 with extra header members (e.g. <c>crit</c>).</summary>
    public static string Rs256WithHeader(RSA key, IReadOnlyDictionary<string, object?> extraHeader, IReadOnlyDictionary<string, object?> payload)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "JWT" };
        foreach (var (name, value) in extraHeader)
        {
            header[name] = value;
        }

        return Encode(header, payload, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public static string Hs256(byte[] secret, IReadOnlyDictionary<string, object?> payload) =>
        Encode(new Dictionary<string, object?> { ["alg"] = "HS256", ["typ"] = "JWT" }, payload, input => HMACSHA256.HashData(secret, input));

    public static string Unsigned(IReadOnlyDictionary<string, object?> payload) =>
        Encode(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" }, payload, _ => []);

    public static string TamperSignature(string jwt)
    {
        var parts = jwt.Split('.');
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        signature[^1] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    private static string Encode(IReadOnlyDictionary<string, object?> header, IReadOnlyDictionary<string, object?> payload, Func<byte[], byte[]> sign)
    {
        var signingInput = System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header)) + "." +
                           System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + System.Buffers.Text.Base64Url.EncodeToString(signature);
    }
}
