using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityBridge.Xumm;

/// <summary>JSON conventions of the platform API: snake_case names, nulls left out of requests.</summary>
internal static class XummJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new LenientDateTimeOffsetConverter() },
    };

    /// <summary>Reads ISO 8601 text or unix seconds; anything else becomes null instead of failing the answer.</summary>
    private sealed class LenientDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
    {
        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String when DateTimeOffset.TryParse(
                    reader.GetString(),
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal,
                    out var parsed):
                    return parsed;
                case JsonTokenType.Number when reader.TryGetInt64(out var seconds)
                    && seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds():
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                default:
                    reader.Skip();
                    return null;
            }
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } moment)
            {
                writer.WriteStringValue(moment);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
