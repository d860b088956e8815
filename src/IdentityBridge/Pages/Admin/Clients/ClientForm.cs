using System.Text.Json;
using IdentityBridge.Admin.Contracts;

namespace IdentityBridge.Pages.Admin.Clients;

/// <summary>The client form's fields; lists are one entry per line.</summary>
public sealed class ClientForm
{
    public string? ClientId { get; set; }
    public string? ClientName { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    public string ClientType { get; set; } = "confidential";
    public string? TokenEndpointAuthMethod { get; set; }
    public string? RedirectUris { get; set; }
    public string? PostLogoutRedirectUris { get; set; }
    public List<string> AllowedScopes { get; set; } = ["openid", "profile"];
    public List<string> AllowedGrantTypes { get; set; } = ["authorization_code", "refresh_token"];
    public bool RequirePkce { get; set; } = true;
    public bool RequireConsent { get; set; }
    public int AccessTokenLifetime { get; set; } = 900;
    public int IdTokenLifetime { get; set; } = 300;
    public int RefreshTokenSlidingLifetime { get; set; } = 1_209_600;
    public int RefreshTokenAbsoluteLifetime { get; set; } = 2_592_000;
    public string IdTokenSigningAlg { get; set; } = "RS256";
    public string SubjectType { get; set; } = "public";
    public string? SectorIdentifier { get; set; }
    public string? BackChannelLogoutUri { get; set; }
    public string? FrontChannelLogoutUri { get; set; }
    public bool FrontChannelLogoutSessionRequired { get; set; }
    public bool RequirePushedAuthorizationRequests { get; set; }
    public bool RequireSignedRequestObject { get; set; }
    public string? RequiredNetwork { get; set; }
    public string? Provisioning { get; set; }
    public string? SignInMethod { get; set; }
    public string? Jwks { get; set; }
    /// <summary>The entity tag of the client the edit form was filled from: a save over a later version is refused.</summary>
    public string? Version { get; set; }

    public static ClientForm From(ClientView v) => new()
    {
        ClientId = v.ClientId,
        ClientName = v.ClientName,
        Description = v.Description,
        Enabled = v.Enabled ?? true,
        ClientType = v.ClientType ?? "confidential",
        TokenEndpointAuthMethod = v.TokenEndpointAuthMethod,
        RedirectUris = string.Join('\n', v.RedirectUris ?? []),
        PostLogoutRedirectUris = string.Join('\n', v.PostLogoutRedirectUris ?? []),
        AllowedScopes = v.AllowedScopes ?? [],
        AllowedGrantTypes = v.AllowedGrantTypes ?? [],
        RequirePkce = v.RequirePkce ?? true,
        RequireConsent = v.RequireConsent ?? false,
        AccessTokenLifetime = v.AccessTokenLifetime ?? 900,
        IdTokenLifetime = v.IdTokenLifetime ?? 300,
        RefreshTokenSlidingLifetime = v.RefreshTokenSlidingLifetime ?? 1_209_600,
        RefreshTokenAbsoluteLifetime = v.RefreshTokenAbsoluteLifetime ?? 2_592_000,
        IdTokenSigningAlg = v.IdTokenSigningAlg ?? "RS256",
        SubjectType = v.SubjectType ?? "public",
        SectorIdentifier = v.SectorIdentifier,
        BackChannelLogoutUri = v.BackChannelLogoutUri,
        FrontChannelLogoutUri = v.FrontChannelLogoutUri,
        FrontChannelLogoutSessionRequired = v.FrontChannelLogoutSessionRequired ?? false,
        RequirePushedAuthorizationRequests = v.RequirePushedAuthorizationRequests ?? false,
        RequireSignedRequestObject = v.RequireSignedRequestObject ?? false,
        RequiredNetwork = v.RequiredNetwork,
        Provisioning = v.Provisioning,
        SignInMethod = v.SignInMethod,
        Jwks = v.Jwks?.GetRawText(),
        Version = v.ETag,
    };

    /// <summary>The form as an API input; <paramref name="current"/> supplies settings the form does not show.</summary>
    public ClientInput ToInput(ClientView? current, out string? jwksError)
    {
        jwksError = null;
        JsonElement? jwks = null;
        if (!string.IsNullOrWhiteSpace(Jwks))
        {
            try
            {
                jwks = JsonDocument.Parse(Jwks).RootElement.Clone();
            }
            catch (JsonException)
            {
                jwksError = "is not valid JSON";
            }
        }
        return new ClientInput
        {
            ClientId = ClientId?.Trim(),
            ClientName = ClientName,
            Description = Description,
            Enabled = Enabled,
            ClientType = ClientType,
            TokenEndpointAuthMethod = string.IsNullOrEmpty(TokenEndpointAuthMethod) ? null : TokenEndpointAuthMethod,
            RedirectUris = Lines(RedirectUris),
            PostLogoutRedirectUris = Lines(PostLogoutRedirectUris),
            AllowedScopes = AllowedScopes.Where(s => !string.IsNullOrEmpty(s)).ToList(),
            AllowedGrantTypes = AllowedGrantTypes.Where(g => !string.IsNullOrEmpty(g)).ToList(),
            RequirePkce = ClientType == "public" || RequirePkce,
            RequireConsent = RequireConsent,
            AccessTokenLifetime = AccessTokenLifetime,
            IdTokenLifetime = IdTokenLifetime,
            RefreshTokenSlidingLifetime = RefreshTokenSlidingLifetime,
            RefreshTokenAbsoluteLifetime = RefreshTokenAbsoluteLifetime,
            IdTokenSigningAlg = IdTokenSigningAlg,
            SubjectType = SubjectType,
            SectorIdentifier = Blank(SectorIdentifier),
            BackChannelLogoutUri = Blank(BackChannelLogoutUri),
            FrontChannelLogoutUri = Blank(FrontChannelLogoutUri),
            FrontChannelLogoutSessionRequired = FrontChannelLogoutSessionRequired,
            RequirePushedAuthorizationRequests = RequirePushedAuthorizationRequests,
            RequireSignedRequestObject = RequireSignedRequestObject,
            RequiredNetwork = Blank(RequiredNetwork),
            Provisioning = Blank(Provisioning),
            SignInMethod = Blank(SignInMethod),
            Jwks = jwks,
            BackchannelTokenDeliveryMode = current?.BackchannelTokenDeliveryMode,
            BackchannelClientNotificationEndpoint = current?.BackchannelClientNotificationEndpoint,
        };
    }

    private static List<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
