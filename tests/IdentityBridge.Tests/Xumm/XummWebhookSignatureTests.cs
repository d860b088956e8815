using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.Xumm;

public sealed class XummWebhookSignatureTests
{
    private const string ApiSecret = "c5bc4ccc-28fa-4080-b702-0d3aac97b993";
    private const string FirstHyphenRemoved = "c5bc4ccc28fa-4080-b702-0d3aac97b993";
    private const string AllHyphensRemoved = "c5bc4ccc28fa4080b7020d3aac97b993";
    private const string Body =
        """{"meta":{"url":"https://bridge.example/webhooks/xumm","application_uuidv4":"3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b","payload_uuidv4":"0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b","opened_by_deeplink":true},"custom_meta":{"identifier":"login-42","blob":null,"instruction":null},"payloadResponse":{"payload_uuidv4":"0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b","reference_call_uuidv4":"b0a3f1d2-1111-4c4c-8d8d-9e9e9e9e9e9e","signed":true,"user_token":true,"return_url":{"app":null,"web":null},"txid":"A1B2"},"userToken":{"user_token":"691d5ae8-968b-44c8-8835-f25da1214f35","token_issued":1717243200,"token_expiration":1719835200}}""";

    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly string Timestamp = Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Documented_key_removes_only_the_first_hyphen()
    {
        Assert.Equal(FirstHyphenRemoved, XummWebhookSignature.DocumentedKey(ApiSecret));
        Assert.Equal(AllHyphensRemoved, XummWebhookSignature.AllHyphensRemovedKey(ApiSecret));
    }

    [Fact]
    public void Compute_is_lower_case_hex_hmac_sha1_of_timestamp_then_body()
    {
        var key = XummWebhookSignature.DocumentedKey(ApiSecret);
        var expected = Convert.ToHexString(
            HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(Timestamp + Body))).ToLowerInvariant();

        var signature = XummWebhookSignature.Compute(key, Timestamp, Body);

        Assert.Equal(expected, signature);
        Assert.Equal(40, signature.Length);
        Assert.Equal(signature.ToLowerInvariant(), signature);
    }

    [Fact]
    public void Signature_with_the_documented_first_hyphen_key_is_valid() =>
        Assert.Equal(XummWebhookVerification.Valid, Verify(Sign(FirstHyphenRemoved)));

    [Fact]
    public void Signature_with_the_all_hyphens_removed_key_is_valid() =>
        Assert.Equal(XummWebhookVerification.Valid, Verify(Sign(AllHyphensRemoved)));

    [Fact]
    public void Upper_case_hex_signature_is_accepted() =>
        Assert.Equal(
            XummWebhookVerification.Valid,
            Verify(Sign(XummWebhookSignature.DocumentedKey(ApiSecret)).ToUpperInvariant()));

    [Theory]
    [InlineData(ApiSecret)] // the secret with its hyphens is not the key
    [InlineData("d5bc4ccc28fa-4080-b702-0d3aac97b993")] // another application's secret
    public void Signature_with_another_key_is_rejected(string key) =>
        Assert.Equal(XummWebhookVerification.BadSignature, Verify(Sign(key)));

    [Fact]
    public void Tampered_body_is_rejected()
    {
        var signature = Sign(XummWebhookSignature.DocumentedKey(ApiSecret));
        var tampered = Body.Replace("\"signed\":true", "\"signed\":false", StringComparison.Ordinal);

        Assert.Equal(
            XummWebhookVerification.BadSignature,
            XummWebhookSignature.Verify(ApiSecret, Timestamp, signature, tampered, Now, Window));
    }

    [Fact]
    public void Signature_moved_to_another_timestamp_is_rejected()
    {
        var signature = Sign(XummWebhookSignature.DocumentedKey(ApiSecret));
        var other = (Now.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);

        Assert.Equal(
            XummWebhookVerification.BadSignature,
            XummWebhookSignature.Verify(ApiSecret, other, signature, Body, Now, Window));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    [InlineData(86400)]
    public void Authentic_delivery_outside_the_window_is_stale(int offsetSeconds)
    {
        var timestamp = (Now.ToUnixTimeSeconds() + offsetSeconds).ToString(CultureInfo.InvariantCulture);
        var signature = XummWebhookSignature.Compute(XummWebhookSignature.DocumentedKey(ApiSecret), timestamp, Body);

        Assert.Equal(
            XummWebhookVerification.Stale,
            XummWebhookSignature.Verify(ApiSecret, timestamp, signature, Body, Now, Window));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Delivery_at_the_edge_of_the_window_is_valid(int offsetSeconds)
    {
        var timestamp = (Now.ToUnixTimeSeconds() + offsetSeconds).ToString(CultureInfo.InvariantCulture);
        var signature = XummWebhookSignature.Compute(XummWebhookSignature.DocumentedKey(ApiSecret), timestamp, Body);

        Assert.Equal(
            XummWebhookVerification.Valid,
            XummWebhookSignature.Verify(ApiSecret, timestamp, signature, Body, Now, Window));
    }

    [Theory]
    [InlineData(null, "aa")]
    [InlineData("", "aa")]
    [InlineData("1748779200", null)]
    [InlineData("1748779200", " ")]
    public void Missing_headers_are_reported(string? timestamp, string? signature) =>
        Assert.Equal(
            XummWebhookVerification.MissingHeaders,
            XummWebhookSignature.Verify(ApiSecret, timestamp, signature, Body, Now, Window));

    [Theory]
    [InlineData("2025-06-01T12:00:00Z", null)]
    [InlineData("-1748779200", null)]
    [InlineData("1748779200", "not-hex-not-hex-not-hex-not-hex-not-hex!")]
    [InlineData("1748779200", "abcd")]
    [InlineData("1748779200", "sha1=0123456789abcdef0123456789abcdef01234567")]
    public void Malformed_headers_are_reported(string timestamp, string? signature) =>
        Assert.Equal(
            XummWebhookVerification.MalformedHeaders,
            XummWebhookSignature.Verify(
                ApiSecret,
                timestamp,
                signature ?? Sign(XummWebhookSignature.DocumentedKey(ApiSecret)),
                Body,
                Now,
                Window));

    private static string Sign(string key) => XummWebhookSignature.Compute(key, Timestamp, Body);

    private static XummWebhookVerification Verify(string signature) =>
        XummWebhookSignature.Verify(ApiSecret, Timestamp, signature, Body, Now, Window);
}
