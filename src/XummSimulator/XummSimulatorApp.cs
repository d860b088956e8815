namespace XummSimulator;

/// <summary>An application registered in the (simulated) developer console.</summary>
public sealed class XummSimulatorApp
{
    /// <summary>The API key: a UUID v4. It is also the OAuth2 <c>client_id</c> and the app's <c>uuidv4</c>.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The API secret: a UUID v4 with hyphens. It is also the OAuth2 <c>client_secret</c>.</summary>
    public string ApiSecret { get; set; } = "";

    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public string? IconUrl { get; set; }

    /// <summary>
    /// Registered redirect URIs. Like the platform, the check is a prefix match, and a host written as
    /// <c>*.example.com</c> accepts any subdomain.
    /// </summary>
    public IList<string> RedirectUris { get; } = new List<string>();

    /// <summary>Where payload resolutions are POSTed, or null for no webhooks.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>A disabled application is refused by every endpoint.</summary>
    public bool Disabled { get; set; }
}
