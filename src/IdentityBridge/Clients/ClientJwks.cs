using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Clients;

/// <summary>
/// The rule for a client's JWKS (private_key_jwt), the same wherever a client is registered
/// (configuration, admin API, console, CLI, import): a JWK Set holding at least one usable asymmetric
/// signing key (RSA or EC), no symmetric key and no private key. A symmetric key in a published key set is a
/// shared secret in the clear, and the token endpoint would never accept an assertion signed with it. A
/// private key (RFC 7518 §6.2.2, §6.3.2) is the client's own secret: the bridge needs only the public half,
/// and a registration is stored in clear, shown by every read of the client, audited and exported.
/// </summary>
public static class ClientJwks
{
    /// <summary>Why <paramref name="json"/> is not an acceptable client JWKS, or null when it is.</summary>
    public static string? Problem(string json)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return "it cannot be parsed (" + ex.GetType().Name + ")";
        }
        if (set.Keys.Count == 0) return "it has no keys";
        if (set.Keys.Any(k => k.Kty == JsonWebAlgorithmsKeyTypes.Octet))
            return "it holds a symmetric ('oct') key; publish only public RSA or EC keys";
        if (set.Keys.Any(HasPrivateMembers))
            return "it holds private key material ('d', 'p', 'q', 'dp', 'dq', 'qi' or 'oth'); register only the public keys";
        var usable = set.GetSigningKeys().Count(k => k is RsaSecurityKey or ECDsaSecurityKey or JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve });
        return usable == 0 ? "none of its keys is a usable signing key" : null;
    }

    private static bool HasPrivateMembers(JsonWebKey key) =>
        key.D is not null || key.P is not null || key.Q is not null || key.DP is not null || key.DQ is not null || key.QI is not null
        || key.Oth is { Count: > 0 };
}
