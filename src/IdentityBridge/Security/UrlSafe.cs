namespace IdentityBridge;

internal static class UrlSafe
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>A random URL-safe identifier with <paramref name="bytes"/> bytes of entropy.</summary>
    public static string NewId(int bytes = 16) => Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
}
