namespace IdentityBridge.RelyingParty.Metadata;

/// <summary>
/// What a metadata source holds right now, read without fetching anything: lets a readiness probe tell
/// "cached and usable" from "never obtained" without calling the provider on every probe.
/// </summary>
public interface IOidcMetadataState
{
    /// <summary>True when metadata is cached and younger than <c>MetadataMaxStaleness</c>.</summary>
    bool HasUsableMetadata { get; }
}
