using System.Globalization;
using System.Text.Json;

namespace IdentityBridge.RelyingParty.Protocol;

/// <summary>
/// The usable part of a token response, read leniently where providers differ harmlessly
/// (<c>token_type</c> case, <c>refresh_token: ""</c>, numeric or string <c>expires_in</c>) and strictly elsewhere.
/// </summary>
internal sealed record TokenSet(string AccessToken, string TokenType, string? IdToken, string? RefreshToken, TimeSpan? ExpiresIn)
{
    public static TokenSet? Read(JsonElement root, bool requireIdToken, out OidcClientFailureException? failure)
    {
        failure = null;
        var accessToken = TokenEndpointClient.StringOrNull(root, "access_token");
        if (string.IsNullOrEmpty(accessToken))
        {
            failure = Invalid("The token response has no access_token.");
            return null;
        }

        var tokenType = TokenEndpointClient.StringOrNull(root, "token_type");
        if (!string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            failure = Invalid("The token response's token_type is not Bearer.");
            return null;
        }

        var idToken = TokenEndpointClient.StringOrNull(root, "id_token");
        if (string.IsNullOrEmpty(idToken))
        {
            idToken = null;
            if (requireIdToken)
            {
                failure = Invalid("The token response has no id_token although the openid scope was requested.");
                return null;
            }
        }

        var refreshToken = TokenEndpointClient.StringOrNull(root, "refresh_token");
        return new TokenSet(accessToken, "Bearer", idToken, string.IsNullOrEmpty(refreshToken) ? null : refreshToken, ReadExpiresIn(root));
    }

    /// <summary>
    /// Longest lifetime taken from <c>expires_in</c>. RFC 6749 bounds the value nowhere, but a longer one cannot be
    /// added to a date (or even held in a <see cref="TimeSpan"/>): it is read as no stated lifetime, which is what
    /// such a token has in practice.
    /// </summary>
    private static readonly TimeSpan MaxExpiresIn = TimeSpan.FromDays(36_500);

    private static TimeSpan? ReadExpiresIn(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var value))
        {
            return null;
        }

        long seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out seconds))
        {
            return Lifetime(seconds);
        }

        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
        {
            return Lifetime(seconds);
        }

        return null;
    }

    private static TimeSpan? Lifetime(long seconds) =>
        seconds > 0 && seconds <= (long)MaxExpiresIn.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;

    private static OidcClientFailureException Invalid(string description) =>
        new(OidcClientErrors.InvalidTokenResponse, description);
}
