using XummSimulator.Internal;

namespace IdentityBridge.Tests.Simulator;

public sealed class InternalsTests
{
    [Fact]
    public void Address_codec_matches_known_ledger_addresses()
    {
        Assert.Equal("rrrrrrrrrrrrrrrrrrrrrhoLvTp", XrplAddress.Encode(new byte[20]));
        Assert.Equal("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", XrplAddress.Encode(Convert.FromHexString("B5F762798A53D543A014CAF8B297CFF8F2F937E8")));
        Assert.True(XrplAddress.TryDecode("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", out var id));
        Assert.Equal("B5F762798A53D543A014CAF8B297CFF8F2F937E8", Convert.ToHexString(id));
    }

    [Theory]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi")]
    [InlineData("xHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdty0h")]
    [InlineData("")]
    public void Address_codec_rejects_bad_checksums_and_characters(string address) =>
        Assert.False(XrplAddress.IsValid(address));

    [Fact]
    public void Random_addresses_are_valid()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.True(XrplAddress.IsValid(XrplAddress.NewRandom()));
        }
    }

    [Theory]
    [InlineData("cbbbbbbb-aaaa-4ccc-8ddd-1234567890ab", "cbbbbbbbaaaa-4ccc-8ddd-1234567890ab")]
    [InlineData("nohyphen", "nohyphen")]
    public void Webhook_key_drops_only_the_first_hyphen(string secret, string key) =>
        Assert.Equal(key, WebhookSignature.SigningKey(secret));

    [Theory]
    [InlineData("https://*.example.com/cb", "https://app.example.com/cb/x", true)]
    [InlineData("https://*.example.com/cb", "https://example.com/cb", false)]
    [InlineData("https://*.example.com/cb", "https://app.example.org/cb", false)]
    [InlineData("https://*.example.com/cb", "https://app.example.com/other", false)]
    [InlineData("https://app.example.com", "https://app.example.com.evil.net/", true)]
    public void Redirect_rule_is_prefix_with_wildcard_subdomains(string registered, string requested, bool matches) =>
        Assert.Equal(matches, RedirectUriMatcher.Matches(registered, requested));

    [Fact]
    public void Uuids_are_version_4()
    {
        var uuid = RandomIds.NewUuidV4();
        Assert.True(RandomIds.IsUuidV4(uuid));
        Assert.Equal(36, uuid.Length);
    }
}
