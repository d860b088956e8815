namespace IdentityBridge.Configuration;

/// <summary>A client declared in configuration (<c>Bridge:Clients</c>).</summary>
public sealed class ClientDefinition
{
    public string ClientId { get; set; } = "";
    /// <summary>Plain text in configuration; hashed on import, never stored as is.</summary>
    public string? ClientSecret { get; set; }
    public string? ClientName { get; set; }
    public List<string> RedirectUris { get; set; } = [];
    public List<string> PostLogoutRedirectUris { get; set; } = [];
    /// <summary>Empty means <see cref="DefaultScopes"/>. (Configuration binding appends to a pre-filled list, so defaults are applied on import instead.)</summary>
    public List<string> AllowedScopes { get; set; } = [];
    /// <summary>Empty means <see cref="DefaultGrantTypes"/>.</summary>
    public List<string> AllowedGrantTypes { get; set; } = [];

    public static readonly string[] DefaultScopes = ["openid", "profile"];
    public static readonly string[] DefaultGrantTypes = ["authorization_code", "refresh_token"];

    public IEnumerable<string> EffectiveScopes => AllowedScopes.Count > 0 ? AllowedScopes : DefaultScopes;
    public IEnumerable<string> EffectiveGrantTypes => AllowedGrantTypes.Count > 0 ? AllowedGrantTypes : DefaultGrantTypes;
    public bool RequirePkce { get; set; } = true;
    public bool RequireConsent { get; set; }
    /// <summary>confidential or public.</summary>
    public string ClientType { get; set; } = "confidential";
    /// <summary>client_secret_basic (default for confidential), client_secret_post, private_key_jwt, none (public).</summary>
    public string? TokenEndpointAuthMethod { get; set; }
    /// <summary>Seconds, 300 to 3600.</summary>
    public int AccessTokenLifetime { get; set; } = 900;
    public string? BackChannelLogoutUri { get; set; }
    /// <summary>Front-Channel Logout 1.0: https, or http on a loopback address; no fragment.</summary>
    public string? FrontChannelLogoutUri { get; set; }
    public bool FrontChannelLogoutSessionRequired { get; set; }
    /// <summary>RFC 9126 §6: authorization requests only through the PAR endpoint.</summary>
    public bool RequirePushedAuthorizationRequests { get; set; }
    /// <summary>RFC 9101 §10.5: authorization requests only as signed request objects; needs <see cref="Jwks"/>.</summary>
    public bool RequireSignedRequestObject { get; set; }
    public string? RequiredNetwork { get; set; }
    public string? Provisioning { get; set; }
    public string? SignInMethod { get; set; }
    public string? IdTokenSigningAlg { get; set; }
    public string? SubjectType { get; set; }
    public string? SectorIdentifier { get; set; }
    /// <summary>Client JWKS (JSON) for private_key_jwt.</summary>
    public string? Jwks { get; set; }
    /// <summary>CIBA token delivery: <c>poll</c> (default when empty) or <c>ping</c>.</summary>
    public string? BackchannelTokenDeliveryMode { get; set; }
    /// <summary>Where the bridge POSTs CIBA ping notifications: https, or http on a loopback address. Required for ping.</summary>
    public string? BackchannelClientNotificationEndpoint { get; set; }

    /// <summary>
    /// Blank optional settings become unset (their defaults apply), as blank list entries are dropped: see
    /// <see cref="BridgeOptions.RemoveBlankEntries"/>. The lists lose their blank entries too.
    /// </summary>
    internal void RemoveBlankSettings()
    {
        ClientSecret = Unset(ClientSecret);
        ClientName = Unset(ClientName);
        TokenEndpointAuthMethod = Unset(TokenEndpointAuthMethod);
        BackChannelLogoutUri = Unset(BackChannelLogoutUri);
        FrontChannelLogoutUri = Unset(FrontChannelLogoutUri);
        RequiredNetwork = Unset(RequiredNetwork);
        Provisioning = Unset(Provisioning);
        SignInMethod = Unset(SignInMethod);
        IdTokenSigningAlg = Unset(IdTokenSigningAlg);
        SubjectType = Unset(SubjectType);
        SectorIdentifier = Unset(SectorIdentifier);
        Jwks = Unset(Jwks);
        BackchannelTokenDeliveryMode = Unset(BackchannelTokenDeliveryMode);
        BackchannelClientNotificationEndpoint = Unset(BackchannelClientNotificationEndpoint);
        RedirectUris.RemoveAll(string.IsNullOrWhiteSpace);
        PostLogoutRedirectUris.RemoveAll(string.IsNullOrWhiteSpace);
        AllowedScopes.RemoveAll(string.IsNullOrWhiteSpace);
        AllowedGrantTypes.RemoveAll(string.IsNullOrWhiteSpace);

        static string? Unset(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
