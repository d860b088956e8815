namespace IdentityBridge.RelyingParty.Metadata;

/// <summary>Timing rules of <see cref="OidcMetadataManager"/>, taken from <see cref="OidcClientOptions"/>.</summary>
internal sealed record OidcMetadataPolicy(
    TimeSpan AutomaticRefreshInterval,
    TimeSpan RefreshMinInterval,
    TimeSpan MaxStaleness,
    TimeSpan Timeout)
{
    public static OidcMetadataPolicy From(OidcClientOptions options) => new(
        options.MetadataAutomaticRefreshInterval,
        options.MetadataRefreshMinInterval,
        options.MetadataMaxStaleness,
        options.BackchannelTimeout);
}
