namespace IdentityBridge.Xumm;

/// <summary>Outcome of checking the signature of a webhook delivery.</summary>
public enum XummWebhookVerification
{
    /// <summary>Signed with the application's API secret, within the replay window.</summary>
    Valid,

    /// <summary>The timestamp or signature header is absent or empty.</summary>
    MissingHeaders,

    /// <summary>A header is present but not a unix timestamp or not a hex HMAC-SHA1.</summary>
    MalformedHeaders,

    /// <summary>The signature does not match the body and timestamp under any accepted key.</summary>
    BadSignature,

    /// <summary>Authentic, but the timestamp lies outside the accepted window (replay or clock trouble).</summary>
    Stale,
}
