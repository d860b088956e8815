using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// JWT times (<c>exp</c>, <c>nbf</c>, <c>iat</c>: RFC 7519 NumericDate, seconds since the epoch) as
/// <see cref="DateTimeOffset"/>. Any 64-bit number parses, while <see cref="DateTimeOffset"/> ends with the
/// year 9999: a time beyond either end is clamped to <see cref="DateTimeOffset.MinValue"/> or
/// <see cref="DateTimeOffset.MaxValue"/>, so it still compares as far past or far future. Callers compare
/// the result with the clock (moved by the skew), never add to it.
/// A NumericDate is a JSON number (RFC 7519 §2): the claim is read from the payload as sent, so that a string
/// such as <c>"1999999999"</c>, which a lenient reader would convert, is not taken for a time.
/// </summary>
public static class NumericDate
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static DateTimeOffset FromSeconds(long seconds) =>
        seconds < MinSeconds ? DateTimeOffset.MinValue
        : seconds > MaxSeconds ? DateTimeOffset.MaxValue
        : DateTimeOffset.FromUnixTimeSeconds(seconds);

    /// <summary>
    /// The claim as a time; false when it is absent or not a JSON number. A fraction of a second is allowed
    /// (RFC 7519 §2) and dropped.
    /// </summary>
    public static bool TryGet(JsonWebToken token, string claim, out DateTimeOffset value)
    {
        value = default;
        if (Find(token, claim) is not { } found || found.Kind != JsonValueKind.Number || found.Seconds is not { } seconds) return false;
        value = FromSeconds(seconds);
        return true;
    }

    /// <summary>Whether the payload has the claim at all, whatever its value: a time that is there but not a NumericDate is an error, not an absence.</summary>
    public static bool IsPresent(JsonWebToken token, string claim) => Find(token, claim) is not null;

    private static (JsonValueKind Kind, long? Seconds)? Find(JsonWebToken token, string claim)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        if (payload.RootElement.ValueKind != JsonValueKind.Object || !payload.RootElement.TryGetProperty(claim, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number) return (value.ValueKind, null);
        if (value.TryGetInt64(out var seconds)) return (value.ValueKind, seconds);
        // A fraction, or an integer beyond 64 bits: as far in the past or future as a time can be.
        if (!value.TryGetDouble(out var fractional) || !double.IsFinite(fractional))
            return (value.ValueKind, value.GetRawText().StartsWith('-') ? long.MinValue : long.MaxValue);
        return (value.ValueKind,
            fractional <= long.MinValue ? long.MinValue
            : fractional >= long.MaxValue ? long.MaxValue
            : (long)Math.Floor(fractional));
    }
}
