using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>private_key_jwt assertions of <see cref="TestClients.Jwt"/>, built byte by byte so that a test controls every header and claim.</summary>
public static class ClientAssertionBuilder
{
    public const string TokenEndpoint = "http://localhost/connect/token";

    /// <summary>Claims good for <paramref name="clock"/>'s now, addressed to <paramref name="audience"/> (a string or an array).</summary>
    public static Dictionary<string, object> Claims(TimeProvider clock, object audience, string subject = TestClients.Jwt)
    {
        var now = clock.GetUtcNow();
        return new Dictionary<string, object>
        {
            ["iss"] = subject,
            ["sub"] = subject,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TimeSpan.FromMinutes(2)).ToUnixTimeSeconds(),
        };
    }

    /// <summary>
    /// The claims signed with the client's key, or with <paramref name="key"/>; <paramref name="typ"/> null leaves the
    /// header without one.
    /// </summary>
    public static string Sign(string alg, Dictionary<string, object> claims, string? typ = "JWT", RSA? key = null)
    {
        var header = new Dictionary<string, string> { ["alg"] = alg, ["kid"] = "rp-key-1" };
        if (typ is not null) header["typ"] = typ;
        var encodedHeader = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(header));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
        var padding = alg.StartsWith("PS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        var signature = (key ?? TestClients.JwtClientKey).SignData(Encoding.ASCII.GetBytes(encodedHeader + "." + payload), HashAlgorithmName.SHA256, padding);
        return encodedHeader + "." + payload + "." + Base64UrlEncoder.Encode(signature);
    }

    public static Dictionary<string, string> Form(string assertion) => new()
    {
        ["grant_type"] = "client_credentials",
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    };

    /// <summary>An introspection request authenticated with <paramref name="assertion"/>: client authentication at another endpoint than the token endpoint.</summary>
    public static Task<HttpResponseMessage> IntrospectAsync(OidcDriver driver, string assertion) =>
        driver.Api.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = "x",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));
}
