using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using IdentityBridge.RelyingParty.Protocol;

namespace IdentityBridge.RelyingParty.Validation;

/// <summary>
/// Validates an ID token: algorithm pinned to the allow-list before any key is touched, signature against the
/// provider's keys (with or without <c>kid</c>), exact issuer, audience, lifetime with bounded skew, nonce.
/// When no cached key verifies the signature and the key was unknown, one metadata refresh is requested and
/// the token is checked again; if that does not help, the token is refused.
/// </summary>
internal static class OidcIdTokenValidator
{
    private static readonly JsonWebTokenHandler TokenHandler = new() { MapInboundClaims = false };

    public static async Task<IdTokenValidationResult> ValidateAsync(
        OidcClientOptions options,
        string idToken,
        string? expectedNonce,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(idToken);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return Invalid("The ID token is not a well-formed JWT.", ex);
        }

        if (token.IsEncrypted || !options.AllowedSigningAlgorithms.Contains(token.Alg))
        {
            return Invalid($"The ID token algorithm '{token.Alg}' is not allowed.");
        }

        var manager = options.ConfigurationManager;
        if (manager is null)
        {
            return Unavailable("No metadata source is configured.", null);
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Unavailable("The provider's signing keys are unavailable.", ex);
        }

        var (result, keyWasKnown) = await ValidateSignedAsync(options, token, configuration, timeProvider).ConfigureAwait(false);
        if (!result.IsValid && IsSignatureFailure(result.Exception) && !keyWasKnown)
        {
            manager.RequestRefresh();
            OpenIdConnectConfiguration refreshed;
            try
            {
                refreshed = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Unavailable("The provider's signing keys could not be refreshed.", ex);
            }

            if (!ReferenceEquals(refreshed, configuration))
            {
                logger.LogInformation("Signing keys refreshed after an ID token signed with an unknown key.");
                (result, _) = await ValidateSignedAsync(options, token, refreshed, timeProvider).ConfigureAwait(false);
            }
        }

        if (!result.IsValid)
        {
            return IsSignatureFailure(result.Exception)
                ? Invalid("The ID token signature could not be verified with the provider's keys.", result.Exception)
                : Invalid("The ID token was refused: " + Describe(result.Exception), result.Exception);
        }

        return CheckClaims(options, token, expectedNonce, timeProvider.GetUtcNow())
            ?? new IdTokenValidationResult(token, result.ClaimsIdentity, null);
    }

    private static async Task<(TokenValidationResult Result, bool KeyWasKnown)> ValidateSignedAsync(
        OidcClientOptions options, JsonWebToken token, OpenIdConnectConfiguration configuration, TimeProvider timeProvider)
    {
        var family = SigningKeyFamilies.OfAlgorithm(token.Alg);
        var keys = configuration.SigningKeys.Where(key => SigningKeyFamilies.OfKey(key) == family).ToList();
        var keyWasKnown = false;
        if (!string.IsNullOrEmpty(token.Kid))
        {
            var matching = keys.Where(key => string.Equals(key.KeyId, token.Kid, StringComparison.Ordinal)).ToList();
            if (matching.Count > 0)
            {
                keys = matching;
                keyWasKnown = true;
            }
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = options.AllowedSigningAlgorithms.ToList(),
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = false, // compared exactly in CheckClaims
            ValidateLifetime = false, // checked in CheckClaims against the TimeProvider, iat included
            RequireExpirationTime = false,
            ValidateAudience = true,
            RequireAudience = true,
            ValidAudience = options.ClientId,
            NameClaimType = "name",
            RoleClaimType = "role",
        };

        var result = keys.Count == 0
            ? new TokenValidationResult { IsValid = false, Exception = new SecurityTokenSignatureKeyNotFoundException("No key of the token's family.") }
            : await TokenHandler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        return (result, keyWasKnown);
    }

    private static IdTokenValidationResult? CheckClaims(OidcClientOptions options, JsonWebToken token, string? expectedNonce, DateTimeOffset now)
    {
        if (!string.Equals(token.Issuer, options.EffectiveIssuer, StringComparison.Ordinal))
        {
            return Invalid("The ID token issuer does not match.");
        }

        if (string.IsNullOrEmpty(token.Subject))
        {
            return Invalid("The ID token has no sub.");
        }

        if (token.TryGetPayloadValue<string>("azp", out var azp) && !string.Equals(azp, options.ClientId, StringComparison.Ordinal))
        {
            return Invalid("The ID token's azp is another client.");
        }

        if (token.Audiences.Count() > 1 && azp is null)
        {
            return Invalid("The ID token has several audiences but no azp.");
        }

        var skew = options.ClockSkew;
        if (!TryGetTime(token, "exp", out var expires))
        {
            return Invalid("The ID token has no exp.");
        }

        if (now > expires + skew)
        {
            return Invalid("The ID token has expired.");
        }

        if (TryGetTime(token, "nbf", out var notBefore) && notBefore > now + skew)
        {
            return Invalid("The ID token is not valid yet (nbf).");
        }

        if (!TryGetTime(token, "iat", out var issuedAt))
        {
            return Invalid("The ID token has no iat.");
        }

        if (issuedAt > now + skew)
        {
            return Invalid("The ID token was issued in the future (iat).");
        }

        if (expectedNonce is not null)
        {
            if (!token.TryGetPayloadValue<string>("nonce", out var nonce) || string.IsNullOrEmpty(nonce))
            {
                return Invalid("The ID token has no nonce.");
            }

            if (!ProtocolRandom.FixedTimeEquals(expectedNonce, nonce))
            {
                return Invalid("The ID token nonce does not match the one sent.");
            }
        }

        return null;
    }

    private static bool TryGetTime(JsonWebToken token, string claim, out DateTimeOffset value)
    {
        value = default;
        if (!token.TryGetPayloadValue<long>(claim, out var seconds) || seconds <= 0 || seconds > 253402300799)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private static bool IsSignatureFailure(Exception? exception) => exception is SecurityTokenInvalidSignatureException;

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAudienceException => "the audience is not this client.",
        SecurityTokenInvalidAlgorithmException => "the algorithm is not allowed.",
        _ => "it is invalid.",
    };

    private static IdTokenValidationResult Invalid(string description, Exception? inner = null) =>
        IdTokenValidationResult.Fail(OidcClientErrors.InvalidIdToken, description, inner);

    private static IdTokenValidationResult Unavailable(string description, Exception? inner) =>
        IdTokenValidationResult.Fail(OidcClientErrors.TemporarilyUnavailable, description, inner);
}
