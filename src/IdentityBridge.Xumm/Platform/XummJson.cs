using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityBridge.Xumm;

/// <summary>
/// JSON conventions of the platform API: snake_case names, nulls left out of requests. The models' nullable
/// annotations are enforced: <c>required</c> only checks that a field is present, so without this an explicit
/// <c>null</c> in a field the platform must send (<c>next</c>, <c>meta</c>, <c>result</c>, <c>user_token</c>)
/// would pass as a complete answer. Such an answer now fails to read and becomes the client's
/// <see cref="XummErrorKind.InvalidResponse"/>. Every field the platform may send as null (see the samples in the
/// tests) is annotated nullable. Collection elements are not covered by the annotations; the client checks those.
/// </summary>
internal static class XummJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        RespectNullableAnnotations = true,
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
