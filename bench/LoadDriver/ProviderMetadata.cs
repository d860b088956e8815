using System.Text.Json;

namespace LoadDriver;

/// <summary>The endpoints a provider publishes in its discovery document; the driver uses nothing else.</summary>
public sealed record ProviderMetadata(
    string Issuer,
    Uri Discovery,
    Uri Authorization,
    Uri Token,
    Uri UserInfo,
    Uri Jwks)
{
    public static async Task<ProviderMetadata> LoadAsync(HttpClient http, string issuer, CancellationToken ct)
    {
        var discovery = new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration");
        using var response = await http.GetAsync(discovery, ct);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
        var root = document.RootElement;
        Uri Endpoint(string name) => root.TryGetProperty(name, out var value) && value.GetString() is { } url
            ? new Uri(url)
            : throw new InvalidOperationException($"The discovery document of {issuer} has no {name}.");
        var published = root.GetProperty("issuer").GetString();
        if (published != issuer.TrimEnd('/'))
            throw new InvalidOperationException($"The discovery document names issuer '{published}', expected '{issuer}'.");
        return new ProviderMetadata(published, discovery, Endpoint("authorization_endpoint"), Endpoint("token_endpoint"),
            Endpoint("userinfo_endpoint"), Endpoint("jwks_uri"));
    }
}
