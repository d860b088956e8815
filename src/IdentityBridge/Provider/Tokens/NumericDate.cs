using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// JWT times (<c>exp</c>, <c>nbf</c>, <c>iat</c>: RFC 7519 NumericDate, seconds since the epoch) as
/// <see cref="DateTimeOffset"/>. Any 64-bit number parses, while <see cref="DateTimeOffset"/> ends with the
/// year 9999: a time beyond either end is clamped to <see cref="DateTimeOffset.MinValue"/> or
/// <see cref="DateTimeOffset.MaxValue"/>, so it still compares as far past or far future. Callers compare
/// the result with the clock (moved by the skew), never add to it.
/// </summary>
public static class NumericDate
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static DateTimeOffset FromSeconds(long seconds) =>
        seconds < MinSeconds ? DateTimeOffset.MinValue
        : seconds > MaxSeconds ? DateTimeOffset.MaxValue
        : DateTimeOffset.FromUnixTimeSeconds(seconds);

    /// <summary>The claim as a time; false when it is absent or not an integer.</summary>
    public static bool TryGet(JsonWebToken token, string claim, out DateTimeOffset value)
    {
        if (token.TryGetPayloadValue<long>(claim, out var seconds))
        {
            value = FromSeconds(seconds);
            return true;
        }
        value = default;
        return false;
    }
}
