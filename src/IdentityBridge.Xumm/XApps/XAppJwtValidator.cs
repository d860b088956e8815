using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Xumm;

/// <summary>
/// Verifies xApp tokens: HS256 only (no <c>crit</c> header), signed with the API secret, within their lifetime, issued to this
/// application (<c>client_id</c> equals the API key) and naming a valid r-address.
/// </summary>
public sealed class XAppJwtValidator
{
    /// <summary>Clock difference tolerated on <c>exp</c>, <c>iat</c> and <c>nbf</c>.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>Tokens longer than this are refused unread.</summary>
    public const int MaxTokenLength = 16 * 1024;

    private readonly string _apiKey;
    private readonly TimeProvider _timeProvider;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    /// <summary>Creates a validator for one application's credentials.</summary>
    public XAppJwtValidator(string apiKey, string apiSecret, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        XAppJwt.EnsureUsableSecret(apiSecret);
        ArgumentNullException.ThrowIfNull(timeProvider);

        _apiKey = apiKey;
        _timeProvider = timeProvider;
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [XAppJwt.Algorithm],
            IssuerSigningKey = XAppJwt.SigningKey(apiSecret),
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            // Audience, issuer and lifetime are checked below, against this application and the TimeProvider.
            ValidateAudience = false,
            ValidateIssuer = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            LogValidationExceptions = false,
        };
    }

    /// <summary>Validates a compact xApp token.</summary>
    public async Task<XAppJwtValidationResult> ValidateAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > MaxTokenLength)
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.Malformed);
        }

        JsonWebToken parsed;
        try
        {
            parsed = new JsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.Malformed);
        }

        // RFC 7515 section 4.1.11: no JWS extension is understood here, so a crit header cannot be honoured.
        if (parsed.IsEncrypted || parsed.TryGetHeaderValue<object>("crit", out _))
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.Malformed);
        }

        if (!string.Equals(parsed.Alg, XAppJwt.Algorithm, StringComparison.Ordinal))
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.AlgorithmNotAllowed);
        }

        var validation = await _handler.ValidateTokenAsync(parsed, _parameters).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return XAppJwtValidationResult.Fail(validation.Exception switch
            {
                SecurityTokenInvalidAlgorithmException => XAppJwtFailure.AlgorithmNotAllowed,
                SecurityTokenMalformedException or ArgumentException => XAppJwtFailure.Malformed,
                _ => XAppJwtFailure.InvalidSignature,
            });
        }

        return CheckClaims(parsed);
    }

    private XAppJwtValidationResult CheckClaims(JsonWebToken token)
    {
        if (!TryGetUnixTime(token, XAppJwt.Claims.ExpiresAt, out var expiresAt)
            || !TryGetUnixTime(token, XAppJwt.Claims.IssuedAt, out var issuedAt)
            || !TryGetString(token, XAppJwt.Claims.ClientId, out var clientId)
            || !TryGetString(token, XAppJwt.Claims.Subject, out var subject))
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.MissingClaim);
        }

        var now = _timeProvider.GetUtcNow();
        if (now > expiresAt + ClockSkew)
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.Expired);
        }

        // An nbf beyond the last representable date is still in the future (RFC 7519 section 4.1.5).
        var notYet = token.TryGetPayloadValue<long>(XAppJwt.Claims.NotBefore, out var notBefore)
            && notBefore > (now + ClockSkew).ToUnixTimeSeconds();
        if (issuedAt > now + ClockSkew || notYet)
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.NotYetValid);
        }

        if (!string.Equals(clientId, _apiKey, StringComparison.Ordinal))
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.WrongClient);
        }

        if (!XrplAddress.IsValid(subject)
            || (TryGetString(token, XAppJwt.Claims.Account, out var account)
                && !string.Equals(account, subject, StringComparison.Ordinal)))
        {
            return XAppJwtValidationResult.Fail(XAppJwtFailure.InvalidSubject);
        }

        return XAppJwtValidationResult.Success(new XAppIdentity
        {
            Account = subject,
            Network = OptionalString(token, XAppJwt.Claims.NetworkType),
            NetworkEndpoint = OptionalString(token, XAppJwt.Claims.NetworkEndpoint),
            NetworkId = token.TryGetPayloadValue<int>(XAppJwt.Claims.NetworkId, out var networkId) ? networkId : null,
            UserToken = OptionalString(token, XAppJwt.Claims.UserToken),
            AppName = OptionalString(token, XAppJwt.Claims.AppName),
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
        });
    }

    private static bool TryGetUnixTime(JsonWebToken token, string claim, out DateTimeOffset value)
    {
        if (token.TryGetPayloadValue<long>(claim, out var seconds)
            && seconds >= 0
            && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            value = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        value = default;
        return false;
    }

    private static bool TryGetString(JsonWebToken token, string claim, out string value)
    {
        if (token.TryGetPayloadValue<string>(claim, out var text) && !string.IsNullOrEmpty(text))
        {
            value = text;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static string? OptionalString(JsonWebToken token, string claim) =>
        TryGetString(token, claim, out var value) ? value : null;
}
