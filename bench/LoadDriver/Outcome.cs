using System.Net;
using System.Text.Json;

namespace LoadDriver;

/// <summary>The result of one operation: success, or a short error kind that the report counts.</summary>
public readonly record struct Outcome(string? Error)
{
    public static readonly Outcome Success = new(null);

    public bool Ok => Error is null;

    public static Outcome Fail(string kind) => new(kind);

    /// <summary>"status error" from an HTTP response, with the OAuth error code when the body has one.</summary>
    public static Outcome FromResponse(HttpStatusCode status, byte[] body)
    {
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
                code = error.GetString();
        }
        catch (JsonException)
        {
        }
        return Fail(code is null ? $"http {(int)status}" : $"http {(int)status} {code}");
    }
}
