using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IdentityBridge.Admin.Contracts;

/// <summary>
/// A client's settings as an admin sends them (create and full update). Omitted fields take their
/// defaults. Not sealed: the read model and the export record extend it with read-only facts.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public class ClientInput
{
    public string? ClientId { get; set; }
    public string? ClientName { get; set; }
    public string? Description { get; set; }
    public bool? Enabled { get; set; }
    /// <summary>confidential (default) or public.</summary>
    public string? ClientType { get; set; }
    public List<string>? RedirectUris { get; set; }
    public List<string>? PostLogoutRedirectUris { get; set; }
    public List<string>? AllowedScopes { get; set; }
    public List<string>? AllowedGrantTypes { get; set; }
    /// <summary>client_secret_basic, client_secret_post, private_key_jwt (confidential) or none (public).</summary>
    public string? TokenEndpointAuthMethod { get; set; }
    /// <summary>The client's JWK Set, for private_key_jwt.</summary>
    public JsonElement? Jwks { get; set; }
    public bool? RequirePkce { get; set; }
    public bool? RequireConsent { get; set; }
    public int? AccessTokenLifetime { get; set; }
    public int? IdTokenLifetime { get; set; }
    public int? RefreshTokenSlidingLifetime { get; set; }
    public int? RefreshTokenAbsoluteLifetime { get; set; }
    public string? IdTokenSigningAlg { get; set; }
    public string? SubjectType { get; set; }
    public string? SectorIdentifier { get; set; }
    public string? BackChannelLogoutUri { get; set; }
    /// <summary>Front-Channel Logout 1.0 §2: the page framed at the user's logout in the browser.</summary>
    public string? FrontChannelLogoutUri { get; set; }
    /// <summary>Front-Channel Logout 1.0 §2: the client needs <c>iss</c> and <c>sid</c> (false when omitted; the bridge always sends them).</summary>
    public bool? FrontChannelLogoutSessionRequired { get; set; }
    /// <summary>RFC 9126 §6: authorization requests only through the PAR endpoint (false when omitted).</summary>
    public bool? RequirePushedAuthorizationRequests { get; set; }
    /// <summary>RFC 9101 §10.5: authorization requests only as signed request objects (false when omitted; needs <see cref="Jwks"/>).</summary>
    public bool? RequireSignedRequestObject { get; set; }
    public string? RequiredNetwork { get; set; }
    public string? Provisioning { get; set; }
    public string? SignInMethod { get; set; }
    public string? BackchannelTokenDeliveryMode { get; set; }
    public string? BackchannelClientNotificationEndpoint { get; set; }
}

/// <summary>A client as the API returns it: every setting, secret metadata (never a secret or a hash).</summary>
public class ClientView : ClientInput
{
    [JsonPropertyOrder(1)] public List<ClientSecretView> Secrets { get; set; } = [];
    [JsonPropertyOrder(1)] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyOrder(1)] public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The client's entity tag, which the API answers with in <c>ETag</c> rather than in the body.</summary>
    [JsonIgnore] public string ETag { get; set; } = "";
}

/// <summary>
/// The shape of a full update's answer, for the OpenAPI document (<see cref="ClientUpdated.ToJson"/> writes it):
/// the client's view, and <c>clientSecret</c> only when the update issued a secret.
/// </summary>
public sealed class ReplacedClientView : ClientView
{
    /// <summary>The secret the update issued (shown once), present only when it issued one.</summary>
    [JsonPropertyOrder(2)] public string? ClientSecret { get; set; }
}

public sealed record ClientSecretView(long Id, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A new client, with its first secret (shown once; null for public or private_key_jwt clients).</summary>
public sealed record ClientCreated(ClientView Client, string? ClientSecret);

/// <summary>
/// A client after a full update, with the secret the update issued (shown once) when it moved the client onto a
/// secret method and the client had no unexpired secret; otherwise null.
/// </summary>
public sealed record ClientUpdated(ClientView Client, string? ClientSecret)
{
    /// <summary>
    /// As the API answers: the client's view, plus <c>clientSecret</c> (the member creation answers with) only when
    /// one was issued.
    /// </summary>
    public JsonObject ToJson(JsonSerializerOptions options)
    {
        var json = JsonSerializer.SerializeToNode(Client, options)!.AsObject();
        if (ClientSecret is not null) json["clientSecret"] = ClientSecret;
        return json;
    }
}

/// <summary>A new secret (shown once) and until when the previous ones remain valid.</summary>
public sealed record SecretRotated(string ClientId, long SecretId, string ClientSecret, DateTimeOffset? PreviousSecretsExpireAt)
{
    /// <summary>The client's entity tag after the rotation (in <c>ETag</c>, not in the body).</summary>
    [JsonIgnore] public string ETag { get; init; } = "";
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class EnabledPatch
{
    public bool? Enabled { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RotateSecretInput
{
    /// <summary>How long the previous secrets stay valid, in seconds (0 to 30 days; default 24 h).</summary>
    public int? OverlapSeconds { get; set; }
    public string? Description { get; set; }
}

public sealed record RedirectUriCheck(bool Valid, string? Error);
