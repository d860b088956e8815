using System.Security.Cryptography;

namespace IdentityBridge.Xumm;

/// <summary>
/// Codec for XRP Ledger classic addresses ("r-addresses"): a version byte 0x00, the 20-byte account id and a
/// 4-byte double-SHA256 checksum, written in base58 with the ledger's own alphabet.
/// </summary>
public static class XrplAddress
{
    /// <summary>Size of an account id in bytes.</summary>
    public const int AccountIdLength = 20;

    /// <summary>Longest possible classic address; anything longer is rejected before decoding.</summary>
    public const int MaxLength = 35;

    /// <summary>Shortest possible classic address.</summary>
    public const int MinLength = 25;

    private const string Alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";
    private const byte AccountVersion = 0x00;
    private const int ChecksumLength = 4;
    private const int DecodedLength = 1 + AccountIdLength + ChecksumLength;

    private static readonly sbyte[] DigitOf = BuildDigitTable();

    /// <summary>True when <paramref name="address"/> is a well-formed, checksummed classic account address.</summary>
    public static bool IsValid(string? address)
    {
        Span<byte> accountId = stackalloc byte[AccountIdLength];
        return address is not null && TryDecode(address.AsSpan(), accountId);
    }

    /// <summary>Decodes a classic address into its 20-byte account id.</summary>
    public static bool TryDecode(string? address, out byte[] accountId)
    {
        Span<byte> buffer = stackalloc byte[AccountIdLength];
        if (address is null || !TryDecode(address.AsSpan(), buffer))
        {
            accountId = [];
            return false;
        }

        accountId = buffer.ToArray();
        return true;
    }

    /// <summary>Encodes a 20-byte account id as a classic address.</summary>
    public static string Encode(ReadOnlySpan<byte> accountId)
    {
        if (accountId.Length != AccountIdLength)
        {
            throw new ArgumentException($"An account id is {AccountIdLength} bytes long.", nameof(accountId));
        }

        Span<byte> raw = stackalloc byte[DecodedLength];
        raw[0] = AccountVersion;
        accountId.CopyTo(raw[1..]);
        WriteChecksum(raw[..^ChecksumLength], raw[^ChecksumLength..]);

        Span<char> text = stackalloc char[MaxLength];
        var length = EncodeBase58(raw, text);
        return new string(text[..length]);
    }

    /// <summary>A valid address for a random account id (no key pair behind it).</summary>
    public static string CreateRandom()
    {
        Span<byte> accountId = stackalloc byte[AccountIdLength];
        RandomNumberGenerator.Fill(accountId);
        return Encode(accountId);
    }

    private static bool TryDecode(ReadOnlySpan<char> address, Span<byte> accountId)
    {
        if (address.Length is < MinLength or > MaxLength)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[DecodedLength];
        raw.Clear();
        foreach (var c in address)
        {
            if (c >= DigitOf.Length || DigitOf[c] < 0)
            {
                return false;
            }

            // raw = raw * 58 + digit, big-endian; a carry out of the top byte means the value is too large.
            int carry = DigitOf[c];
            for (var i = raw.Length - 1; i >= 0; i--)
            {
                carry += 58 * raw[i];
                raw[i] = (byte)carry;
                carry >>= 8;
            }

            if (carry != 0)
            {
                return false;
            }
        }

        if (raw[0] != AccountVersion)
        {
            return false;
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        WriteChecksum(raw[..^ChecksumLength], checksum);
        if (!checksum.SequenceEqual(raw[^ChecksumLength..]))
        {
            return false;
        }

        // Leading zero bytes map to leading 'r's one to one; re-encoding rejects padded or shortened spellings.
        Span<char> canonical = stackalloc char[MaxLength];
        var length = EncodeBase58(raw, canonical);
        if (!canonical[..length].SequenceEqual(address))
        {
            return false;
        }

        raw.Slice(1, AccountIdLength).CopyTo(accountId);
        return true;
    }

    private static void WriteChecksum(ReadOnlySpan<byte> versionAndPayload, Span<byte> checksum)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(versionAndPayload, hash);
        SHA256.HashData(hash, hash);
        hash[..ChecksumLength].CopyTo(checksum);
    }

    private static int EncodeBase58(ReadOnlySpan<byte> input, Span<char> output)
    {
        var zeros = 0;
        while (zeros < input.Length && input[zeros] == 0)
        {
            zeros++;
        }

        // Little-endian base58 digits of the value, built by repeated multiply-and-add.
        Span<byte> digits = stackalloc byte[MaxLength];
        var digitCount = 0;
        for (var i = zeros; i < input.Length; i++)
        {
            int carry = input[i];
            for (var j = 0; j < digitCount; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }

            while (carry > 0)
            {
                digits[digitCount++] = (byte)(carry % 58);
                carry /= 58;
            }
        }

        var written = 0;
        for (var i = 0; i < zeros; i++)
        {
            output[written++] = Alphabet[0];
        }

        for (var i = digitCount - 1; i >= 0; i--)
        {
            output[written++] = Alphabet[digits[i]];
        }

        return written;
    }

    private static sbyte[] BuildDigitTable()
    {
        var table = new sbyte[128];
        Array.Fill(table, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            table[Alphabet[i]] = (sbyte)i;
        }

        return table;
    }
}
