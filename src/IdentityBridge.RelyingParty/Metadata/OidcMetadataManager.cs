using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentityBridge.RelyingParty.Metadata;

/// <summary>
/// Caches the provider's discovery document and signing keys.
/// </summary>
/// <remarks>
/// IdentityModel's <c>ConfigurationManager</c> is not used for the caching itself: since 8.x its
/// <c>RequestRefresh</c> refreshes on a background thread (so "refresh once, then validate again" cannot be
/// guaranteed) and its clock cannot be injected. This class keeps IdentityModel's retriever and parser and adds
/// the policy this client needs: a blocking, single-flight refresh; forced refreshes at most once per
/// <c>MetadataRefreshMinInterval</c>; stale metadata served for at most <c>MetadataMaxStaleness</c> while the
/// provider is down; time from <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class OidcMetadataManager : IConfigurationManager<OpenIdConnectConfiguration>, IOidcMetadataState
{
    private static readonly TimeSpan BootstrapRetryDelay = TimeSpan.FromSeconds(5);

    private readonly string _metadataAddress;
    private readonly string _expectedIssuer;
    private readonly IDocumentRetriever _documentRetriever;
    private readonly TimeProvider _timeProvider;
    private readonly OidcMetadataPolicy _policy;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private readonly Lock _refreshGate = new();

    private volatile Snapshot _state = new(null, DateTimeOffset.MinValue, DateTimeOffset.MinValue);
    private DateTimeOffset? _lastForcedRefresh;
    private volatile bool _refreshRequested;

    public OidcMetadataManager(
        string metadataAddress,
        string expectedIssuer,
        IDocumentRetriever documentRetriever,
        TimeProvider timeProvider,
        OidcMetadataPolicy policy,
        ILogger logger)
    {
        _metadataAddress = metadataAddress;
        _expectedIssuer = expectedIssuer;
        _documentRetriever = documentRetriever;
        _timeProvider = timeProvider;
        _policy = policy;
        _logger = logger;
    }

    /// <inheritdoc />
    public bool HasUsableMetadata
    {
        get
        {
            var state = _state;
            return state.Configuration is not null && !IsTooOld(state, _timeProvider.GetUtcNow());
        }
    }

    /// <summary>Returns cached metadata, fetching it when missing, due or requested; throws when none is usable.</summary>
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var state = _state;
        var now = _timeProvider.GetUtcNow();
        if (state.Configuration is not null && !_refreshRequested && now < state.NextFetch && !IsTooOld(state, now))
        {
            return state.Configuration;
        }

        await _fetchLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            now = _timeProvider.GetUtcNow();
            // Staleness decides what may be served, not when to fetch: after a failed fetch NextFetch holds the retry
            // delay, and neither a provider that was never reached nor stale metadata may turn every use into a fetch.
            if (_refreshRequested || now >= _state.NextFetch)
            {
                _refreshRequested = false;
                await FetchAsync(now).ConfigureAwait(false);
                now = _timeProvider.GetUtcNow();
            }

            state = _state;
            if (state.Configuration is null)
            {
                throw new InvalidOperationException($"No metadata could be obtained from '{_metadataAddress}'.");
            }

            if (IsTooOld(state, now))
            {
                throw new InvalidOperationException(
                    $"The metadata from '{_metadataAddress}' is older than the allowed {_policy.MaxStaleness} and cannot be refreshed.");
            }

            return state.Configuration;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    /// <summary>Asks for a fetch on next use, unless a forced refresh happened less than the minimum interval ago.</summary>
    public void RequestRefresh() => TryRequestRefresh();

    /// <summary>Same as <see cref="RequestRefresh"/>; tells whether the refresh was granted.</summary>
    public bool TryRequestRefresh()
    {
        lock (_refreshGate)
        {
            var now = _timeProvider.GetUtcNow();
            if (_lastForcedRefresh is { } last && now - last < _policy.RefreshMinInterval)
            {
                return false;
            }

            _lastForcedRefresh = now;
            _refreshRequested = true;
            return true;
        }
    }

    private async Task FetchAsync(DateTimeOffset startedAt)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_policy.Timeout, _timeProvider);
            var configuration = await OpenIdConnectConfigurationRetriever
                .GetAsync(_metadataAddress, _documentRetriever, timeout.Token)
                .ConfigureAwait(false);

            if (!string.Equals(configuration.Issuer, _expectedIssuer, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"The discovery document names issuer '{configuration.Issuer}', expected exactly '{_expectedIssuer}'.");
            }

            if (string.IsNullOrEmpty(configuration.JwksUri))
            {
                throw new InvalidOperationException("The discovery document has no jwks_uri.");
            }

            var now = _timeProvider.GetUtcNow();
            _state = new Snapshot(configuration, now, now + _policy.AutomaticRefreshInterval);
            _logger.LogInformation("Loaded OpenID Connect metadata from {MetadataAddress} ({KeyCount} signing keys).",
                _metadataAddress, configuration.SigningKeys.Count);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var state = _state;
            var retryDelay = state.Configuration is null
                ? (BootstrapRetryDelay < _policy.RefreshMinInterval ? BootstrapRetryDelay : _policy.RefreshMinInterval)
                : _policy.RefreshMinInterval;
            _state = state with { NextFetch = startedAt + retryDelay };
            _logger.LogWarning(ex, "Could not load OpenID Connect metadata from {MetadataAddress}; {State}.",
                _metadataAddress, state.Configuration is null ? "nothing cached" : "keeping the cached metadata");
        }
    }

    private bool IsTooOld(Snapshot state, DateTimeOffset now) => now - state.FetchedAt > _policy.MaxStaleness;

    /// <summary>What is cached, when it was fetched, and when to try fetching again; replaced as a whole.</summary>
    private sealed record Snapshot(OpenIdConnectConfiguration? Configuration, DateTimeOffset FetchedAt, DateTimeOffset NextFetch);
}
