using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>
/// Request bodies of the admin API: JSON only, unknown members and members named twice refused (I-JSON,
/// RFC 7493: a reviewer reading the first occurrence must see what is applied), every reading error
/// answered with a problem naming the offending field (never a 500).
/// </summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 32,
        AllowDuplicateProperties = false,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: "Send the body as application/json."));
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            if (value is null) return (null, AdminResults.Problem(AdminError.Invalid("$", "a JSON object is required")));
            return (value, null);
        }
        catch (JsonException ex)
        {
            return (null, AdminResults.Problem(AdminError.Invalid(FieldOf(ex), Describe(ex))));
        }
        catch (BadHttpRequestException ex)
        {
            return (null, Results.Problem(statusCode: ex.StatusCode, title: "The request body could not be read"));
        }
    }

    /// <summary>A JSON path such as <c>$.redirectUris[0]</c> as the field name <c>redirectUris[0]</c>.</summary>
    private static string FieldOf(JsonException ex)
    {
        var path = ex.Path ?? "$";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        return field.Length == 0 ? "$" : field;
    }

    private static string Describe(JsonException ex)
    {
        if (ex.Message.StartsWith("The JSON property '", StringComparison.Ordinal)) return "is not a known field";
        if (ex.Message.StartsWith("Duplicate property '", StringComparison.Ordinal)) return "appears more than once";
        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal)) return "has the wrong type";
        return "is not valid JSON";
    }
}
