using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.Xumm;

public sealed class XrplAddressTests
{
    private const string Genesis = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    private const string GenesisAccountId = "B5F762798A53D543A014CAF8B297CFF8F2F937E8";
    private const string AccountZero = "rrrrrrrrrrrrrrrrrrrrrhoLvTp";
    private const string AccountOne = "rrrrrrrrrrrrrrrrrrrrBZbvji";

    [Theory]
    [InlineData(Genesis, GenesisAccountId)]
    [InlineData(AccountZero, "0000000000000000000000000000000000000000")]
    [InlineData(AccountOne, "0000000000000000000000000000000000000001")]
    public void Known_addresses_decode_to_their_account_ids(string address, string accountIdHex)
    {
        Assert.True(XrplAddress.IsValid(address));
        Assert.True(XrplAddress.TryDecode(address, out var accountId));
        Assert.Equal(accountIdHex, Convert.ToHexString(accountId));
    }

    [Theory]
    [InlineData(GenesisAccountId, Genesis)]
    [InlineData("0000000000000000000000000000000000000000", AccountZero)]
    [InlineData("0000000000000000000000000000000000000001", AccountOne)]
    public void Known_account_ids_encode_to_their_addresses(string accountIdHex, string address) =>
        Assert.Equal(address, XrplAddress.Encode(Convert.FromHexString(accountIdHex)));

    [Fact]
    public void Random_addresses_are_valid_and_round_trip()
    {
        for (var i = 0; i < 50; i++)
        {
            var address = XrplAddress.CreateRandom();
            Assert.StartsWith("r", address, StringComparison.Ordinal);
            Assert.True(XrplAddress.TryDecode(address, out var accountId));
            Assert.Equal(address, XrplAddress.Encode(accountId));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("r")]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi")] // last character changed: checksum fails
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtYTh")] // case changed
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyT")] // truncated
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyThh")] // extended
    [InlineData("rHb9CJAWyB4rj9lVRWn96DkukG4bwdtyTh")] // 'l' is not in the alphabet
    [InlineData("rHb9CJAWyB4rj90VRWn96DkukG4bwdtyTh")] // '0' is not in the alphabet
    [InlineData("rHb9CJAWyB4rj9OVRWn96DkukG4bwdtyTh")] // 'O' is not in the alphabet
    [InlineData("rHb9CJAWyB4rj9IVRWn96DkukG4bwdtyTh")] // 'I' is not in the alphabet
    [InlineData(" rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")] // whitespace
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTé")] // non-ASCII
    [InlineData("rrHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")] // padded with a leading zero digit: not canonical
    [InlineData("XVLhHMPHU98es4dbozjVtdWzVrDjtV18pX8yuPT7y4xaEHi")] // X-address
    [InlineData("E4RG3f4bFV2gMKkXHBjJCcHSmvPchuLdaR")] // genesis account id under version byte 0x23
    [InlineData("rhkzEf8RvhEjJ6ykbYxmZg9312qiJxu6p")] // 19-byte payload with a valid checksum
    [InlineData("rpGDjNaBdGxjkDh9iT9KK4XJooxiHS3BDAas")] // 21-byte payload with a valid checksum
    [InlineData("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr")] // too long
    public void Invalid_addresses_are_rejected(string? address)
    {
        Assert.False(XrplAddress.IsValid(address));
        Assert.False(XrplAddress.TryDecode(address, out var accountId));
        Assert.Empty(accountId);
    }

    [Fact]
    public void Every_single_character_substitution_of_a_valid_address_is_rejected()
    {
        const string alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
        var rejected = 0;
        var total = 0;
        for (var position = 1; position < Genesis.Length; position++)
        {
            foreach (var c in alphabet.Where(c => c != Genesis[position]))
            {
                total++;
                var mutated = string.Concat(Genesis.AsSpan(0, position), c.ToString(), Genesis.AsSpan(position + 1));
                rejected += XrplAddress.IsValid(mutated) ? 0 : 1;
            }
        }

        Assert.Equal(total, rejected);
    }

    [Fact]
    public void Encode_refuses_account_ids_of_the_wrong_length() =>
        Assert.Throws<ArgumentException>(() => XrplAddress.Encode(new byte[19]));
}
