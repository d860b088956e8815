using System.Buffers.Text;
using System.Security.Cryptography;

namespace XummSimulator.Internal;

internal static class RandomIds
{
    /// <summary>A random RFC 4122 version 4 UUID in its lower-case hyphenated form.</summary>
    public static string NewUuidV4()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>An opaque URL-safe token with the given number of random bytes.</summary>
    public static string NewToken(int byteCount = 32)
    {
        var bytes = RandomNumberGenerator.GetBytes(byteCount);
        return Base64Url.EncodeToString(bytes);
    }

    public static string NewHex(int byteCount) => Convert.ToHexString(RandomNumberGenerator.GetBytes(byteCount));

    public static bool IsUuidV4(string? value) =>
        Guid.TryParseExact(value, "D", out var guid) && guid.Version == 4;
}
