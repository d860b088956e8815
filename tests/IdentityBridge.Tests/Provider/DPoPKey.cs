using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A client's DPoP key pair (ES256 on P-256, or RSA for RS256/PS256) making proofs byte by byte, so that a test
/// controls every header member and claim.
/// </summary>
public sealed class DPoPKey
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private DPoPKey(ECDsa? ec, RSA? rsa) => (_ec, _rsa) = (ec, rsa);

    public static DPoPKey NewEc() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static DPoPKey NewRsa() => new(null, RSA.Create(2048));

    public string Alg => _ec is not null ? "ES256" : "RS256";

    /// <summary>The public JWK as a JSON object; with <paramref name="includePrivate"/>, the private members too.</summary>
    public JsonObject Jwk(bool includePrivate = false)
    {
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(includePrivate);
            var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y) };
            if (includePrivate) jwk["d"] = Base64UrlEncoder.Encode(p.D);
            return jwk;
        }
        var r = _rsa!.ExportParameters(includePrivate);
        var rsa = new JsonObject { ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(r.Modulus), ["e"] = Base64UrlEncoder.Encode(r.Exponent) };
        if (includePrivate) rsa["d"] = Base64UrlEncoder.Encode(r.D);
        return rsa;
    }

    /// <summary>RFC 7638 thumbprint of the public key, computed here independently of the server.</summary>
    public string Thumbprint()
    {
        var jwk = Jwk();
        var canonical = _ec is not null
            ? $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}"
            : $"{{\"e\":\"{jwk["e"]}\",\"kty\":\"RSA\",\"n\":\"{jwk["n"]}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The claims of a fresh proof for <paramref name="method"/> on <paramref name="url"/> at <paramref name="clock"/>'s now.</summary>
    public static JsonObject Claims(TimeProvider clock, string method, string url, string? accessToken = null)
    {
        var claims = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = clock.GetUtcNow().ToUnixTimeSeconds(),
        };
        if (accessToken is not null) claims["ath"] = Ath(accessToken);
        return claims;
    }

    public static string Ath(string accessToken) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    /// <summary>A proof with the given claims; the header is typ dpop+jwt, the key's alg and its public jwk, then <paramref name="changeHeader"/>.</summary>
    public string Proof(JsonObject claims, Action<JsonObject>? changeHeader = null)
    {
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = Alg, ["jwk"] = Jwk() };
        changeHeader?.Invoke(header);
        var alg = header["alg"]?.GetValue<string>() ?? Alg;
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var data = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature = alg switch
        {
            "none" => [],
            "HS256" => HMACSHA256.HashData(Encoding.ASCII.GetBytes("a shared secret of thirty-two by"), data),
            _ when _ec is not null => _ec.SignData(data, HashAlgorithmName.SHA256),
            "PS256" => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        };
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>A JWT over the given header and payload JSON, signed with this key (for the request fuzzer's re-signing).</summary>
    public string Sign(string header, string payload)
    {
        var signingInput = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = _ec is not null ? _ec.SignData(data, HashAlgorithmName.SHA256) : _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>A fresh proof for <paramref name="method"/> on <paramref name="url"/>.</summary>
    public string Proof(TimeProvider clock, string method, string url, string? accessToken = null) => Proof(Claims(clock, method, url, accessToken));
}
