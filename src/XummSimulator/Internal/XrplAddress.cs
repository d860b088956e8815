using System.Security.Cryptography;

namespace XummSimulator.Internal;

/// <summary>
/// Classic XRP Ledger account addresses ("r..."): version byte 0x00, the 20-byte account id and a
/// four-byte double-SHA-256 checksum, written in the ledger's own base58 alphabet.
/// </summary>
internal static class XrplAddress
{
    private const string Alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
    private const byte AccountVersion = 0x00;
    private const int AccountIdLength = 20;
    private const int ChecksumLength = 4;

    public static string Encode(ReadOnlySpan<byte> accountId)
    {
        if (accountId.Length != AccountIdLength)
        {
            throw new ArgumentException("An account id has 20 bytes.", nameof(accountId));
        }

        Span<byte> raw = stackalloc byte[1 + AccountIdLength + ChecksumLength];
        raw[0] = AccountVersion;
        accountId.CopyTo(raw[1..]);
        Checksum(raw[..(1 + AccountIdLength)]).CopyTo(raw[(1 + AccountIdLength)..]);
        return ToBase58(raw);
    }

    public static bool IsValid(string? address) => TryDecode(address, out _);

    public static bool TryDecode(string? address, out byte[] accountId)
    {
        accountId = [];
        if (string.IsNullOrEmpty(address) || address[0] != 'r' || address.Length is < 25 or > 35)
        {
            return false;
        }

        var raw = FromBase58(address);
        if (raw is null || raw.Length != 1 + AccountIdLength + ChecksumLength || raw[0] != AccountVersion)
        {
            return false;
        }

        var expected = Checksum(raw.AsSpan(0, 1 + AccountIdLength));
        if (!expected.AsSpan().SequenceEqual(raw.AsSpan(1 + AccountIdLength)))
        {
            return false;
        }

        accountId = raw[1..(1 + AccountIdLength)];
        return true;
    }

    public static string NewRandom()
    {
        Span<byte> id = stackalloc byte[AccountIdLength];
        RandomNumberGenerator.Fill(id);
        return Encode(id);
    }

    private static byte[] Checksum(ReadOnlySpan<byte> data) =>
        SHA256.HashData(SHA256.HashData(data))[..ChecksumLength];

    private static string ToBase58(ReadOnlySpan<byte> data)
    {
        var leadingZeros = 0;
        while (leadingZeros < data.Length && data[leadingZeros] == 0)
        {
            leadingZeros++;
        }

        // Digits in base 58, least significant first.
        var digits = new List<int>(data.Length * 2);
        foreach (var b in data)
        {
            var carry = (int)b;
            for (var i = 0; i < digits.Count; i++)
            {
                carry += digits[i] << 8;
                digits[i] = carry % 58;
                carry /= 58;
            }

            while (carry > 0)
            {
                digits.Add(carry % 58);
                carry /= 58;
            }
        }

        var chars = new char[leadingZeros + digits.Count];
        for (var i = 0; i < leadingZeros; i++)
        {
            chars[i] = Alphabet[0];
        }

        for (var i = 0; i < digits.Count; i++)
        {
            chars[leadingZeros + i] = Alphabet[digits[digits.Count - 1 - i]];
        }

        return new string(chars);
    }

    private static byte[]? FromBase58(string text)
    {
        var leadingZeros = 0;
        while (leadingZeros < text.Length && text[leadingZeros] == Alphabet[0])
        {
            leadingZeros++;
        }

        // Bytes, least significant first.
        var bytes = new List<byte>(text.Length);
        foreach (var c in text)
        {
            var carry = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (carry < 0)
            {
                return null;
            }

            for (var i = 0; i < bytes.Count; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)(carry & 0xFF);
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes.Add((byte)(carry & 0xFF));
                carry >>= 8;
            }
        }

        var result = new byte[leadingZeros + bytes.Count];
        for (var i = 0; i < bytes.Count; i++)
        {
            result[leadingZeros + i] = bytes[bytes.Count - 1 - i];
        }

        return result;
    }
}
