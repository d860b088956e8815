using IdentityBridge.RelyingParty.Protocol;
using IdentityBridge.RelyingParty.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Calls the token endpoint of a configured <see cref="OidcClientHandler"/> scheme outside of a sign-in, with
/// the same client authentication, backchannel, timeout and ID token validation.
/// </summary>
public sealed class OidcTokenClient
{
    private readonly IOptionsMonitor<OidcClientOptions> _optionsMonitor;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OidcTokenClient> _logger;

    /// <summary>Creates the client.</summary>
    public OidcTokenClient(IOptionsMonitor<OidcClientOptions> optionsMonitor, TimeProvider timeProvider, ILogger<OidcTokenClient> logger)
    {
        _optionsMonitor = optionsMonitor;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Exchanges a refresh token (<c>grant_type=refresh_token</c>) at the scheme's token endpoint. A returned ID
    /// token is validated like at sign-in, minus the nonce, and its <c>sub</c> must equal
    /// <paramref name="expectedSubject"/> when one is given (OpenID Connect Core §12.2).
    /// </summary>
    public async Task<OidcTokenResult> RefreshAsync(
        string scheme,
        string refreshToken,
        string? expectedSubject = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        if (string.IsNullOrEmpty(refreshToken))
        {
            return OidcTokenResult.Fail(new OidcClientFailureException(OidcClientErrors.InvalidRequest, "There is no refresh token."));
        }

        var options = _optionsMonitor.Get(scheme);
        var timeProvider = options.TimeProvider ?? _timeProvider;

        var tokenEndpoint = options.TokenEndpoint;
        if (string.IsNullOrEmpty(tokenEndpoint))
        {
            try
            {
                var configuration = options.ConfigurationManager is { } manager
                    ? await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false)
                    : null;
                tokenEndpoint = configuration?.TokenEndpoint;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.LogWarning(ex, "The metadata of {Scheme} is unavailable.", scheme);
            }

            if (string.IsNullOrEmpty(tokenEndpoint))
            {
                return OidcTokenResult.Fail(new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, "The token endpoint is unknown: metadata unavailable."));
            }
        }

        var grant = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        };

        using var response = await TokenEndpointClient.RequestAsync(options, tokenEndpoint, grant, timeProvider, _logger, cancellationToken).ConfigureAwait(false);
        if (response.Error is not null)
        {
            return OidcTokenResult.Fail(response.Error as OidcClientFailureException
                ?? new OidcClientFailureException(OidcClientErrors.InvalidTokenResponse, "The token request failed.", innerException: response.Error));
        }

        var tokenSet = TokenSet.Read(response.Response!.RootElement, requireIdToken: false, out var failure);
        if (tokenSet is null)
        {
            return OidcTokenResult.Fail(failure!);
        }

        if (tokenSet.IdToken is not null)
        {
            var validation = await OidcIdTokenValidator.ValidateAsync(options, tokenSet.IdToken, expectedNonce: null, timeProvider, _logger, cancellationToken).ConfigureAwait(false);
            if (!validation.Succeeded)
            {
                return OidcTokenResult.Fail(validation.Failure);
            }

            if (expectedSubject is not null && !string.Equals(validation.Token.Subject, expectedSubject, StringComparison.Ordinal))
            {
                return OidcTokenResult.Fail(new OidcClientFailureException(OidcClientErrors.InvalidIdToken, "The refreshed ID token belongs to another subject."));
            }
        }

        var expiresAt = tokenSet.ExpiresIn is { } lifetime ? timeProvider.GetUtcNow() + lifetime : (DateTimeOffset?)null;
        return OidcTokenResult.Success(tokenSet.AccessToken, tokenSet.IdToken, tokenSet.RefreshToken, expiresAt);
    }
}
