using System.Net.Http.Headers;
using System.Text;

namespace LoadDriver;

/// <summary>A confidential client's id and secret, sent as HTTP Basic (client_secret_basic, RFC 6749 §2.3.1).</summary>
public sealed class ClientCredentials(string clientId, string clientSecret)
{
    public string ClientId { get; } = clientId;

    public AuthenticationHeaderValue BasicHeader { get; } = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));
}
