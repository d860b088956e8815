using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace XummSimulator.Internal;

/// <summary>
/// The RSA key the OAuth2 endpoint signs with, plus a second key that is never published (used to
/// simulate tokens signed by a key the JWKS does not know). Rotation replaces the published key.
/// </summary>
internal sealed class SigningKeys : IDisposable
{
    private RSA _current = RSA.Create(2048);
    private RSA _unpublished = RSA.Create(2048);

    public RSA Current => Volatile.Read(ref _current);

    public RSA Unpublished => _unpublished;

    /// <summary>A stable id for the current key, used only when key ids are switched on.</summary>
    public string CurrentKeyId => KeyIdOf(Current);

    public void Rotate()
    {
        // The old key is not disposed: a request on another thread may still be signing with it.
        Volatile.Write(ref _current, RSA.Create(2048));
    }

    public JsonObject PublicJwk(bool includeKeyId)
    {
        var parameters = Current.ExportParameters(includePrivateParameters: false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64Url.EncodeToString(parameters.Modulus!),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent!),
        };
        if (includeKeyId)
        {
            jwk["kid"] = CurrentKeyId;
        }

        return jwk;
    }

    public void Dispose()
    {
        _current.Dispose();
        _unpublished.Dispose();
    }

    private static string KeyIdOf(RSA key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var material = new byte[parameters.Modulus!.Length + parameters.Exponent!.Length];
        parameters.Modulus.CopyTo(material, 0);
        parameters.Exponent.CopyTo(material, parameters.Modulus.Length);
        return Base64Url.EncodeToString(SHA256.HashData(material).AsSpan(0, 12));
    }
}
