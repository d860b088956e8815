using System.Text.Json;

namespace LoadDriver;

/// <summary>The parts of a token response the scenarios need.</summary>
public sealed record TokenSet(string AccessToken, string? RefreshToken, string? IdToken)
{
    /// <summary>Reads a successful token response; null when the body is not one.</summary>
    public static TokenSet? Read(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (!root.TryGetProperty("access_token", out var access) || access.GetString() is not { Length: > 0 } accessToken) return null;
            return new TokenSet(accessToken, Optional(root, "refresh_token"), Optional(root, "id_token"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}
