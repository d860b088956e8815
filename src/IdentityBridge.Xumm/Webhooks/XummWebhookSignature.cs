using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IdentityBridge.Xumm;

/// <summary>
/// Signature of Xumm webhook deliveries: header <c>x-xumm-request-signature</c> holds the hex HMAC-SHA1 of
/// the <c>x-xumm-request-timestamp</c> header followed by the raw body, keyed with the API secret minus hyphens.
/// </summary>
public static class XummWebhookSignature
{
    /// <summary>Header carrying the signature.</summary>
    public const string SignatureHeader = "x-xumm-request-signature";

    /// <summary>Header carrying the unix time (seconds) the delivery was signed at.</summary>
    public const string TimestampHeader = "x-xumm-request-timestamp";

    private const int SignatureHexLength = HMACSHA1.HashSizeInBytes * 2;

    /// <summary>Lower-case hex HMAC-SHA1 of <paramref name="timestamp"/> + <paramref name="body"/>.</summary>
    /// <param name="keyMaterial">The key string exactly as used (already stripped of hyphens).</param>
    public static string Compute(string keyMaterial, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(keyMaterial);
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(body);
        return Convert.ToHexStringLower(Mac(keyMaterial, timestamp, body));
    }

    /// <summary>
    /// The key the documentation's sample derives: the API secret with only its first hyphen removed
    /// (JavaScript <c>replace('-', '')</c> replaces the first match only).
    /// </summary>
    public static string DocumentedKey(string apiSecret)
    {
        ArgumentNullException.ThrowIfNull(apiSecret);
        var hyphen = apiSecret.IndexOf('-', StringComparison.Ordinal);
        return hyphen < 0 ? apiSecret : apiSecret.Remove(hyphen, 1);
    }

    /// <summary>The API secret with every hyphen removed, the key a literal reading of the prose gives.</summary>
    public static string AllHyphensRemovedKey(string apiSecret)
    {
        ArgumentNullException.ThrowIfNull(apiSecret);
        return apiSecret.Replace("-", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>
    /// Verifies a delivery. Accepts the documented key and the all-hyphens-removed key, compares in constant
    /// time, and bounds replay by requiring the timestamp within <paramref name="window"/> of <paramref name="now"/>.
    /// </summary>
    /// <param name="body">The request body (its UTF-8 encoding is what is checked).</param>
    public static XummWebhookVerification Verify(
        string apiSecret,
        string? timestampHeader,
        string? signatureHeader,
        string body,
        DateTimeOffset now,
        TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Verify(apiSecret, timestampHeader, signatureHeader, Encoding.UTF8.GetBytes(body), now, window);
    }

    /// <summary>
    /// Verifies a delivery over the body bytes exactly as received. Accepts the documented key and the
    /// all-hyphens-removed key, compares in constant time, and bounds replay by requiring the timestamp within
    /// <paramref name="window"/> of <paramref name="now"/>.
    /// </summary>
    /// <param name="body">The raw request body, neither decoded nor re-serialized: two bodies that decode alike
    /// (ill-formed UTF-8 read leniently) are still two different bodies.</param>
    public static XummWebhookVerification Verify(
        string apiSecret,
        string? timestampHeader,
        string? signatureHeader,
        ReadOnlySpan<byte> body,
        DateTimeOffset now,
        TimeSpan window)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);

        if (string.IsNullOrWhiteSpace(timestampHeader) || string.IsNullOrWhiteSpace(signatureHeader))
        {
            return XummWebhookVerification.MissingHeaders;
        }

        var timestamp = timestampHeader.Trim();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
        {
            return XummWebhookVerification.MalformedHeaders;
        }

        Span<byte> presented = stackalloc byte[HMACSHA1.HashSizeInBytes];
        var signature = signatureHeader.AsSpan().Trim();
        if (signature.Length != SignatureHexLength
            || Convert.FromHexString(signature, presented, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != presented.Length)
        {
            return XummWebhookVerification.MalformedHeaders;
        }

        var documentedKey = DocumentedKey(apiSecret);
        var allRemovedKey = AllHyphensRemovedKey(apiSecret);
        var matches = CryptographicOperations.FixedTimeEquals(Mac(documentedKey, timestamp, body), presented);
        if (!string.Equals(documentedKey, allRemovedKey, StringComparison.Ordinal))
        {
            matches |= CryptographicOperations.FixedTimeEquals(Mac(allRemovedKey, timestamp, body), presented);
        }

        if (!matches)
        {
            return XummWebhookVerification.BadSignature;
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        var windowSeconds = (long)Math.Ceiling(window.TotalSeconds);
        return unixSeconds < nowSeconds - windowSeconds || unixSeconds > nowSeconds + windowSeconds
            ? XummWebhookVerification.Stale
            : XummWebhookVerification.Valid;
    }

    private static byte[] Mac(string key, string timestamp, string body) =>
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + body));

    private static byte[] Mac(string key, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Encoding.UTF8.GetBytes(key));
        hmac.AppendData(Encoding.UTF8.GetBytes(timestamp));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
