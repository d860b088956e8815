namespace EnterpriseApp;

/// <summary>The sample's settings (<c>EnterpriseApp</c> section; <c>EnterpriseApp__Authority</c> etc. in the environment).</summary>
public sealed class EnterpriseAppOptions
{
    public const string Section = "EnterpriseApp";

    /// <summary>The bridge's issuer URL (discovery at {Authority}/.well-known/openid-configuration).</summary>
    public string Authority { get; set; } = "";

    /// <summary>This application's client id at the bridge; also the audience of the access tokens /api accepts.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret (client_secret_basic). Keep it out of source control outside development.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Where the bridge returns after logout; must be registered as a post-logout redirect URI.</summary>
    public string PostLogoutRedirectUri { get; set; } = "";

    /// <summary>Scopes asked at login.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Throws with a message naming the key when a required setting is missing or malformed.</summary>
    public void Validate()
    {
        Require(nameof(Authority), Authority);
        Require(nameof(PostLogoutRedirectUri), PostLogoutRedirectUri);
        if (string.IsNullOrWhiteSpace(ClientId)) throw Invalid(nameof(ClientId), "is required");
        if (string.IsNullOrWhiteSpace(ClientSecret)) throw Invalid(nameof(ClientSecret), "is required");
        if (!Scopes.Contains("openid")) throw Invalid(nameof(Scopes), "must contain openid");
    }

    private static void Require(string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw Invalid(key, "must be an absolute http(s) URL");
    }

    private static InvalidOperationException Invalid(string key, string problem) =>
        new($"{Section}:{key} {problem}.");
}
