using System.Text.Json;

namespace IdentityBridge.Provider.Protocol;

/// <summary>Writes protocol JSON (token, introspection, errors) with the no-store cache headers of RFC 6749 §5.1.</summary>
public static class ProtocolResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A JSON body that must not be cached.</summary>
    public static IResult NoStoreJson(object body, int statusCode = StatusCodes.Status200OK) => new NoStoreJsonResult(body, statusCode, null);

    /// <summary>
    /// A JSON error. A 401 (invalid_client) carries the Basic challenge: RFC 9110 §15.5.2 requires a challenge in
    /// every 401, and RFC 6749 §5.2 uses the 401 to name the HTTP authentication scheme the endpoint supports, the
    /// scheme a client that tried the Authorization header must be answered with. Clients that authenticated in
    /// the body (client_secret_post, private_key_jwt, none) get the same challenge: it is the only HTTP scheme here.
    /// </summary>
    public static IResult Error(ProtocolError error) =>
        new NoStoreJsonResult(new Dictionary<string, string?> { ["error"] = error.Error, ["error_description"] = error.Description }, error.StatusCode,
            error.StatusCode == StatusCodes.Status401Unauthorized ? BasicChallenge : null);

    private const string BasicChallenge = "Basic realm=\"IdentityBridge\", charset=\"UTF-8\"";

    private sealed class NoStoreJsonResult(object body, int statusCode, string? challenge) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = statusCode;
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
            if (challenge is not null) response.Headers.WWWAuthenticate = challenge;
            response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(response.Body, body, body.GetType(), Json, context.RequestAborted);
        }
    }
}
