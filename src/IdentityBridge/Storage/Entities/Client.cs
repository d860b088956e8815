namespace IdentityBridge.Storage.Entities;

/// <summary>A registered application that delegates login to the bridge.</summary>
public sealed class Client
{
    public required string ClientId { get; set; }
    public required string ClientName { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    /// <summary><c>confidential</c> or <c>public</c>.</summary>
    public string ClientType { get; set; } = ClientTypes.Confidential;
    /// <summary>JSON array of exact redirect URIs.</summary>
    public string RedirectUris { get; set; } = "[]";
    public string PostLogoutRedirectUris { get; set; } = "[]";
    /// <summary>Space separated.</summary>
    public string AllowedScopes { get; set; } = "openid";
    /// <summary>Space separated.</summary>
    public string AllowedGrantTypes { get; set; } = "authorization_code";
    /// <summary>client_secret_basic, client_secret_post, private_key_jwt or none.</summary>
    public string TokenEndpointAuthMethod { get; set; } = "client_secret_basic";
    /// <summary>Client JWKS (JSON) for private_key_jwt.</summary>
    public string? JwksJson { get; set; }
    public bool RequirePkce { get; set; } = true;
    /// <summary>Third-party clients get a consent page.</summary>
    public bool RequireConsent { get; set; }
    public int AccessTokenLifetimeSeconds { get; set; } = 900;
    public int IdTokenLifetimeSeconds { get; set; } = 300;
    public int RefreshTokenSlidingLifetimeSeconds { get; set; } = 1_209_600;
    public int RefreshTokenAbsoluteLifetimeSeconds { get; set; } = 2_592_000;
    /// <summary>RS256 (default) or ES256.</summary>
    public string IdTokenSigningAlg { get; set; } = "RS256";
    /// <summary><c>public</c> or <c>pairwise</c>.</summary>
    public string SubjectType { get; set; } = "public";
    public string? SectorIdentifier { get; set; }
    public string? BackChannelLogoutUri { get; set; }
    /// <summary>Front-Channel Logout 1.0: the page the bridge frames when the user logs out in the browser.</summary>
    public string? FrontChannelLogoutUri { get; set; }
    /// <summary>Whether the client asks for <c>iss</c> and <c>sid</c> on its front-channel logout URI (they are always sent).</summary>
    public bool FrontChannelLogoutSessionRequired { get; set; }
    /// <summary>RFC 9126 §6: the client's authorization requests come only through the PAR endpoint.</summary>
    public bool RequirePushedAuthorizationRequests { get; set; }
    /// <summary>RFC 9101 §10.5: every authorization request of the client is a signed request object.</summary>
    public bool RequireSignedRequestObject { get; set; }
    /// <summary>MAINNET, TESTNET, ... or null for any network.</summary>
    public string? RequiredNetwork { get; set; }
    /// <summary>AutoCreate or AllowList; null follows the deployment default.</summary>
    public string? Provisioning { get; set; }
    /// <summary>xumm-oidc or xumm-payload; null follows the deployment default.</summary>
    public string? SignInMethod { get; set; }
    /// <summary>CIBA: poll or ping, with the ping notification endpoint.</summary>
    public string? BackchannelTokenDeliveryMode { get; set; }
    public string? BackchannelClientNotificationEndpoint { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>
    /// Optimistic concurrency token: raised by every save that changes the client or its secrets (see
    /// <see cref="Storage.BridgeDbContext"/>), so of two edits made from the same reading only the first is stored.
    /// </summary>
    public long Version { get; set; }

    public List<ClientSecret> Secrets { get; set; } = [];
}

public static class ClientTypes
{
    public const string Confidential = "confidential";
    public const string Public = "public";
}

/// <summary>A hashed client secret. Several may be valid during a rotation overlap.</summary>
public sealed class ClientSecret
{
    public long Id { get; set; }
    public required string ClientId { get; set; }
    /// <summary><c>sha256:</c> + base64 of SHA-256 over the secret's UTF-8 bytes.</summary>
    public required string Hash { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
}
