using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XummSimulator.Internal;

/// <summary>
/// Writes and checks compact JWS tokens by hand so the header carries exactly what the platform sends
/// (no <c>kid</c> unless asked for) and the claims are exactly the ones listed, nothing added.
/// </summary>
internal static class CompactJwt
{
    public static string SignRs256(JsonObject claims, RSA key, string? keyId)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (keyId is not null)
        {
            header["kid"] = keyId;
        }

        var signingInput = SigningInput(header, claims);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public static string SignHs256(JsonObject claims, byte[] key)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" };
        var signingInput = SigningInput(header, claims);
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Returns the claims when the token is a well-formed RS256 JWS signed by <paramref name="key"/>.</summary>
    public static JsonObject? ReadRs256(string token, RSA key)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "RS256")
            {
                return null;
            }

            var signature = Base64Url.DecodeFromChars(parts[2]);
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!key.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return null;
            }

            return JsonNode.Parse(Base64Url.DecodeFromChars(parts[1])) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }

    private static string SigningInput(JsonObject header, JsonObject claims) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))
        + "."
        + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
}
