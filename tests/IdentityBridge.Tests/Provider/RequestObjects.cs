using System.Security.Cryptography;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Provider;

/// <summary>Signed request objects (RFC 9101) of the private_key_jwt client, sent at the authorize endpoint or pushed.</summary>
internal static class RequestObjects
{
    public const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>The authorization parameters of <paramref name="driver"/> as the claims of a request object good for five minutes.</summary>
    public static Dictionary<string, object> Claims(ProviderHost host, OidcDriver driver, string clientId = TestClients.Jwt, string scope = "openid profile email")
    {
        var now = host.Clock.GetUtcNow();
        var claims = driver.Params(clientId, scope).ToDictionary(p => p.Key, p => (object)p.Value);
        claims["iss"] = clientId;
        claims["aud"] = BridgeFactory.Issuer;
        claims["jti"] = Guid.NewGuid().ToString("N");
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["nbf"] = now.ToUnixTimeSeconds();
        claims["exp"] = (now + TimeSpan.FromMinutes(5)).ToUnixTimeSeconds();
        return claims;
    }

    public static string Sign(Dictionary<string, object> claims, string typ = "oauth-authz-req+jwt", RSA? key = null) =>
        ClientAssertionBuilder.Sign("RS256", claims, typ, key);

    /// <summary>An authorization request that is only its request object, beside the client_id.</summary>
    public static Dictionary<string, string> Query(string requestObject, string clientId = TestClients.Jwt) =>
        new() { ["client_id"] = clientId, ["request"] = requestObject };

    /// <summary>A push authenticated with a private_key_jwt assertion of the client.</summary>
    public static Task<HttpResponseMessage> PushAsync(ProviderHost host, OidcDriver driver, Dictionary<string, string> body)
    {
        body["client_assertion_type"] = JwtBearer;
        body["client_assertion"] = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, BridgeFactory.Issuer));
        return PushedAuthorizationTests.PushAsync(driver, body, basicId: null);
    }
}
