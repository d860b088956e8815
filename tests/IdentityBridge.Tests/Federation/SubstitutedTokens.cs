using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using B64 = System.Buffers.Text.Base64Url;

namespace IdentityBridge.Tests.Federation;

/// <summary>
/// A substituted token source in the bridge's "xumm" HttpClient: serves its own key as Xumm's JWKS and re-signs
/// every token the simulator issues after <see cref="Rewrite"/> changed its claims, so the bridge receives a
/// correctly signed token with claims the simulator would never produce (e.g. a <c>sub</c> that is no r-address).
/// Userinfo calls are forwarded with the simulator's original token, which the simulator can verify.
/// </summary>
public sealed class SubstitutedTokens : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _originals = new();

    public Func<JsonObject, JsonObject> Rewrite { get; set; } = claims => claims;

    public DelegatingHandler CreateHandler() => new Handler(this);

    public void Dispose() => _key.Dispose();

    private string Jwks()
    {
        var parameters = _key.ExportParameters(false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["n"] = B64.EncodeToString(parameters.Modulus),
                ["e"] = B64.EncodeToString(parameters.Exponent),
            }),
        }.ToJsonString();
    }

    private string Sign(JsonObject claims)
    {
        var header = B64.EncodeToString(Encoding.UTF8.GetBytes("""{"alg":"RS256","typ":"JWT"}"""));
        var payload = B64.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + B64.EncodeToString(signature);
    }

    private sealed class Handler(SubstitutedTokens tokens) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith("/certs", StringComparison.Ordinal))
                return Json(tokens.Jwks());
            if (path.EndsWith("/userinfo", StringComparison.Ordinal) && request.Headers.Authorization?.Parameter is { } bearer
                && tokens._originals.TryGetValue(bearer, out var simulatorToken))
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", simulatorToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (!path.EndsWith("/token", StringComparison.Ordinal) || !response.IsSuccessStatusCode)
                return response;

            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            var original = body["id_token"]!.GetValue<string>();
            var claims = JsonNode.Parse(B64.DecodeFromChars(original.Split('.')[1]))!.AsObject();
            var token = tokens.Sign(tokens.Rewrite(claims));
            tokens._originals[token] = original;
            body["id_token"] = token;
            body["access_token"] = token;
            response.Dispose();
            return Json(body.ToJsonString());
        }

        private static HttpResponseMessage Json(string json) => new(System.Net.HttpStatusCode.OK)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
    }
}
