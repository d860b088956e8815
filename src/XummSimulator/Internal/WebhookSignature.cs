using System.Security.Cryptography;
using System.Text;

namespace XummSimulator.Internal;

/// <summary>
/// The webhook signature the platform sends: hex HMAC-SHA1 over the timestamp header followed by the
/// raw JSON body. The key is the API secret with only its first hyphen removed, which is what the
/// documented <c>secret.replace('-', '')</c> actually does.
/// </summary>
internal static class WebhookSignature
{
    public static string SigningKey(string apiSecret)
    {
        var hyphen = apiSecret.IndexOf('-', StringComparison.Ordinal);
        return hyphen < 0 ? apiSecret : apiSecret.Remove(hyphen, 1);
    }

    public static string Compute(string apiSecret, string timestamp, string body)
    {
        var key = Encoding.UTF8.GetBytes(SigningKey(apiSecret));
        var message = Encoding.UTF8.GetBytes(timestamp + body);
        return Convert.ToHexStringLower(HMACSHA1.HashData(key, message));
    }
}
