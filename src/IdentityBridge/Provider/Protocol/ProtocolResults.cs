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

    /// <summary>A JSON error; for invalid_client after HTTP Basic, the WWW-Authenticate challenge RFC 6749 §5.2 asks for.</summary>
    public static IResult Error(ProtocolError error, bool basicChallenge = false) =>
        new NoStoreJsonResult(new Dictionary<string, string?> { ["error"] = error.Error, ["error_description"] = error.Description }, error.StatusCode,
            basicChallenge && error.StatusCode == StatusCodes.Status401Unauthorized ? "Basic realm=\"IdentityBridge\", charset=\"UTF-8\"" : null);

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
