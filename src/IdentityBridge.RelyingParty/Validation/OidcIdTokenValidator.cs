using System.Buffers;
using System.Security.Claims;
using System.Text;
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

        // RFC 7515 section 4.1.11: this client understands no JWS extension, so any "crit" header names one it
        // does not understand (or is malformed), and the token must be refused.
        if (token.TryGetHeaderValue<object>("crit", out _))
        {
            return Invalid("The ID token has a critical header parameter (crit) this client does not understand.");
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

        var (signature, keyWasKnown) = VerifySignature(idToken, token, configuration, logger);
        if (signature == SignatureCheck.Invalid && !keyWasKnown)
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
                (signature, _) = VerifySignature(idToken, token, refreshed, logger);
            }
        }

        if (signature != SignatureCheck.Valid)
        {
            return Invalid("The ID token signature could not be verified with the provider's keys.");
        }

        if (!HasAudience(token, options.ClientId))
        {
            return Invalid("The ID token was refused: the audience is not this client.");
        }

        return CheckClaims(options, token, expectedNonce, timeProvider.GetUtcNow())
            ?? new IdTokenValidationResult(token, null);
    }

    private enum SignatureCheck
    {
        Valid,
        Invalid,
    }

    /// <summary>
    /// Checks the JWS signature over the token's first two segments with the provider's keys of the
    /// algorithm's family (the algorithm is already on the allow-list): only the key named by <c>kid</c>
    /// when the provider has it, every key of the family otherwise (Xumm signs without <c>kid</c>).
    /// KeyWasKnown: the token named a key the provider publishes, so a failure is not a rotation.
    /// RSA keys are checked through <see cref="OpenSslRsaVerifier"/> where it runs, otherwise with the
    /// signature providers of the keys' factory.
    /// </summary>
    private static (SignatureCheck Check, bool KeyWasKnown) VerifySignature(string idToken, JsonWebToken token, OpenIdConnectConfiguration configuration, ILogger logger)
    {
        var family = SigningKeyFamilies.OfAlgorithm(token.Alg);
        var candidates = new List<SecurityKey>(configuration.SigningKeys.Count);
        var keyWasKnown = false;
        foreach (var key in configuration.SigningKeys)
        {
            if (SigningKeyFamilies.OfKey(key) != family) continue;
            if (!string.IsNullOrEmpty(token.Kid) && string.Equals(key.KeyId, token.Kid, StringComparison.Ordinal))
            {
                if (!keyWasKnown) candidates.Clear();
                keyWasKnown = true;
            }
            else if (keyWasKnown)
            {
                continue;
            }
            candidates.Add(key);
        }

        if (candidates.Count == 0 || family is null) return (SignatureCheck.Invalid, keyWasKnown);

        byte[] signature;
        try
        {
            signature = Base64UrlEncoder.DecodeBytes(token.EncodedSignature);
        }
        catch (FormatException)
        {
            return (SignatureCheck.Invalid, keyWasKnown);
        }

        // The signed bytes: "header.payload" as sent (ASCII by construction of a compact JWS).
        var signedLength = idToken.LastIndexOf('.');
        var signed = ArrayPool<byte>.Shared.Rent(signedLength);
        try
        {
            if (Encoding.ASCII.GetBytes(idToken.AsSpan(0, signedLength), signed) != signedLength) return (SignatureCheck.Invalid, keyWasKnown);
            foreach (var key in candidates)
            {
                var direct = OpenSslRsaVerifier.TryVerify(key, token.Alg, signed.AsSpan(0, signedLength), signature, out var crossCheck);
                if (direct is { } verified && !crossCheck)
                {
                    if (verified) return (SignatureCheck.Valid, keyWasKnown);
                    continue;
                }

                var managed = VerifyWithProvider(key, token.Alg, signed, signedLength, signature);
                if (direct is { } first && !OpenSslRsaVerifier.CompleteCrossCheck(key, first == managed))
                {
                    logger.LogWarning("The direct OpenSSL signature check disagreed with the platform's; it is switched off.");
                }

                if (managed) return (SignatureCheck.Valid, keyWasKnown);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(signed);
        }

        return (SignatureCheck.Invalid, keyWasKnown);
    }

    /// <summary>The signature check through IdentityModel's providers, which the key's factory caches per key and algorithm.</summary>
    private static bool VerifyWithProvider(SecurityKey key, string algorithm, byte[] signed, int signedLength, byte[] signature)
    {
        var factory = key.CryptoProviderFactory ?? CryptoProviderFactory.Default;
        if (!factory.IsSupportedAlgorithm(algorithm, key)) return false;
        var provider = factory.CreateForVerifying(key, algorithm);
        try
        {
            return provider.Verify(signed, 0, signedLength, signature, 0, signature.Length);
        }
        finally
        {
            factory.ReleaseSignatureProvider(provider);
        }
    }

    private static bool HasAudience(JsonWebToken token, string clientId)
    {
        foreach (var audience in token.Audiences)
        {
            if (string.Equals(audience, clientId, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    /// <summary>
    /// Every claim of a validated ID token, issued by its issuer. Built only when asked for (the
    /// TokenValidated event's <see cref="OidcTokenValidatedContext.IdTokenIdentity"/>): a refresh, and a
    /// sign-in whose handlers never read it, do not pay for a claim per member of the payload.
    /// </summary>
    internal static ClaimsIdentity CreateIdentity(JsonWebToken token) =>
        new(token.Claims, IdTokenAuthenticationType, "name", "role");

    private const string IdTokenAuthenticationType = "AuthenticationTypes.Federation";

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

        // Compared in seconds: an nbf beyond the last representable date is still in the future (RFC 7519 section 4.1.5).
        if (token.TryGetPayloadValue<long>("nbf", out var notBefore) && notBefore > (now + skew).ToUnixTimeSeconds())
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

    private static IdTokenValidationResult Invalid(string description, Exception? inner = null) =>
        IdTokenValidationResult.Fail(OidcClientErrors.InvalidIdToken, description, inner);

    private static IdTokenValidationResult Unavailable(string description, Exception? inner) =>
        IdTokenValidationResult.Fail(OidcClientErrors.TemporarilyUnavailable, description, inner);
}
