using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Options of <see cref="OidcClientHandler"/>. Endpoints left empty are taken from the provider's discovery
/// document; explicit values win. Options are validated when the host starts.
/// </summary>
public sealed class OidcClientOptions : OAuthOptions
{
    private static readonly HashSet<string> AsymmetricAlgorithms = new(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    /// <summary>Creates options with the hardened defaults.</summary>
    public OidcClientOptions()
    {
        CallbackPath = OidcClientDefaults.CallbackPath;
        BackchannelTimeout = TimeSpan.FromSeconds(10);
        UsePkce = true;
        Scope.Add("openid");
        Events = new OidcClientEvents();
        ClaimActions.MapUniqueJsonKey("name", "name");
        ClaimActions.MapUniqueJsonKey("picture", "picture");
    }

    /// <summary>The provider's issuer URL, e.g. <c>https://oauth2.xumm.app</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Discovery document address; defaults to <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Require https for the authority and metadata (loopback hosts are always allowed).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// The exact <c>iss</c> expected in ID tokens and in the discovery document; defaults to
    /// <see cref="Authority"/> as written (no trailing-slash tolerance).
    /// </summary>
    public string? ValidIssuer { get; set; }

    /// <summary>JWS algorithms accepted for ID tokens. Only asymmetric algorithms may be listed.</summary>
    public ICollection<string> AllowedSigningAlgorithms { get; } = new List<string> { "RS256" };

    /// <summary>Tolerance applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Least time between two forced metadata refreshes (key rotation, stale metadata).</summary>
    public TimeSpan MetadataRefreshMinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Age after which metadata is fetched again on next use.</summary>
    public TimeSpan MetadataAutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long cached metadata and keys may still be used while the provider cannot be reached.</summary>
    public TimeSpan MetadataMaxStaleness { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Call the userinfo endpoint after the ID token has been validated.</summary>
    public bool GetClaimsFromUserInfoEndpoint { get; set; }

    /// <summary>Client authentication at the token endpoint when <c>ClientSecret</c> is set.</summary>
    public OidcClientAuthenticationMethod TokenEndpointAuthMethod { get; set; } = OidcClientAuthenticationMethod.ClientSecretPost;

    /// <summary>RP-initiated logout endpoint; defaults to the discovered <c>end_session_endpoint</c>.</summary>
    public string? EndSessionEndpoint { get; set; }

    /// <summary>Path the provider returns to after logout (registered as <c>post_logout_redirect_uri</c>).</summary>
    public PathString SignedOutCallbackPath { get; set; } = OidcClientDefaults.SignedOutCallbackPath;

    /// <summary>
    /// The application's public base URL (scheme, host and path base, e.g. <c>https://login.example.com</c>). When
    /// set, <c>redirect_uri</c> and <c>post_logout_redirect_uri</c> are this URL plus <see cref="RemoteAuthenticationOptions.CallbackPath"/>
    /// / <see cref="SignedOutCallbackPath"/>, whatever Host and scheme the request arrived with (behind a reverse
    /// proxy, a load balancer, another host name). When empty, they are built from the request.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Local URL to land on after logout when the sign-out call did not name one.</summary>
    public string SignedOutRedirectUri { get; set; } = "/";

    /// <summary>Source of discovery metadata and signing keys; created from the options when left empty.</summary>
    public IConfigurationManager<OpenIdConnectConfiguration>? ConfigurationManager { get; set; }

    /// <summary>The handler's events.</summary>
    public new OidcClientEvents Events
    {
        get => (OidcClientEvents)base.Events;
        set => base.Events = value;
    }

    /// <summary>Validates the options; throws with a message naming the offending option.</summary>
    public override void Validate()
    {
        // OAuthOptions.Validate is not called on purpose: it demands a client secret and fixed endpoints,
        // while this client supports public clients and takes its endpoints from discovery.
        RequireEndpoint(nameof(Authority), Authority, required: true);
        RequireEndpoint(nameof(MetadataAddress), MetadataAddress, required: true);
        RequireEndpoint(nameof(AuthorizationEndpoint), AuthorizationEndpoint, required: false);
        RequireEndpoint(nameof(TokenEndpoint), TokenEndpoint, required: false);
        RequireEndpoint(nameof(UserInformationEndpoint), UserInformationEndpoint, required: false);
        RequireEndpoint(nameof(EndSessionEndpoint), EndSessionEndpoint, required: false);

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw Invalid(nameof(ClientId), "must be set.");
        }

        if (!CallbackPath.HasValue)
        {
            throw Invalid(nameof(CallbackPath), "must be set.");
        }

        if (!string.IsNullOrEmpty(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var publicBase)
                || (publicBase.Scheme != Uri.UriSchemeHttps && publicBase.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(publicBase.Query) || !string.IsNullOrEmpty(publicBase.Fragment)))
        {
            throw Invalid(nameof(PublicBaseUrl), $"must be an absolute http(s) URL without query or fragment, not '{PublicBaseUrl}'.");
        }

        if (!Scope.Contains("openid"))
        {
            throw Invalid(nameof(Scope), "must contain 'openid'.");
        }

        if (string.IsNullOrEmpty(ClientSecret) && !UsePkce)
        {
            throw Invalid(nameof(UsePkce), "must be true for a public client (no ClientSecret).");
        }

        if (AllowedSigningAlgorithms.Count == 0)
        {
            throw Invalid(nameof(AllowedSigningAlgorithms), "must name at least one algorithm.");
        }

        foreach (var algorithm in AllowedSigningAlgorithms)
        {
            if (!AsymmetricAlgorithms.Contains(algorithm))
            {
                throw Invalid(nameof(AllowedSigningAlgorithms), $"contains '{algorithm}'; only RS*, PS* and ES* algorithms are accepted.");
            }
        }

        RequireRange(nameof(ClockSkew), ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        RequireRange(nameof(BackchannelTimeout), BackchannelTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        RequireRange(nameof(MetadataRefreshMinInterval), MetadataRefreshMinInterval, TimeSpan.Zero, TimeSpan.FromDays(1));
        RequireRange(nameof(MetadataAutomaticRefreshInterval), MetadataAutomaticRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        RequireRange(nameof(MetadataMaxStaleness), MetadataMaxStaleness, MetadataAutomaticRefreshInterval, TimeSpan.FromDays(30));

        if (SignedOutCallbackPath.HasValue && SignedOutCallbackPath == CallbackPath)
        {
            throw Invalid(nameof(SignedOutCallbackPath), "must differ from CallbackPath.");
        }
    }

    internal string EffectiveIssuer => ValidIssuer ?? Authority ?? string.Empty;

    private void RequireEndpoint(string name, string? value, bool required)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                throw Invalid(name, "must be set to an absolute URI.");
            }

            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid(name, $"must be an absolute http(s) URI, not '{value}'.");
        }

        if (uri.Scheme != Uri.UriSchemeHttps && RequireHttpsMetadata && !uri.IsLoopback)
        {
            throw Invalid(name, "must use https (set RequireHttpsMetadata=false only for development).");
        }
    }

    private static void RequireRange(string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw Invalid(name, $"must be between {min} and {max}, not {value}.");
        }
    }

    private static InvalidOperationException Invalid(string name, string problem) =>
        new($"OidcClientOptions.{name} {problem}");
}
