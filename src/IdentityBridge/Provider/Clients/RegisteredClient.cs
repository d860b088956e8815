using System.Text.Json;
using IdentityBridge.Clients;
using IdentityBridge.Storage.Entities;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Clients;

/// <summary>
/// A client as the protocol endpoints see it: an immutable snapshot of the <c>clients</c> row with its
/// lists parsed once, cached by <see cref="ClientStore"/>.
/// </summary>
public sealed class RegisteredClient
{
    public required string ClientId { get; init; }
    public required string ClientName { get; init; }
    public bool Enabled { get; init; }
    public bool IsPublic { get; init; }
    public required IReadOnlyList<string> RedirectUris { get; init; }
    public required IReadOnlyList<string> PostLogoutRedirectUris { get; init; }
    public required IReadOnlySet<string> AllowedScopes { get; init; }
    public required IReadOnlySet<string> AllowedGrantTypes { get; init; }
    /// <summary>client_secret_basic, client_secret_post, private_key_jwt or none.</summary>
    public required string TokenEndpointAuthMethod { get; init; }
    /// <summary>Public keys for private_key_jwt (null when none are registered or they cannot be read).</summary>
    public JsonWebKeySet? Jwks { get; init; }
    public required IReadOnlyList<StoredSecret> Secrets { get; init; }
    public bool RequirePkce { get; init; }
    public bool RequireConsent { get; init; }
    public TimeSpan AccessTokenLifetime { get; init; }
    public TimeSpan IdTokenLifetime { get; init; }
    public TimeSpan RefreshTokenSlidingLifetime { get; init; }
    public TimeSpan RefreshTokenAbsoluteLifetime { get; init; }
    /// <summary>RS256 or ES256.</summary>
    public required string IdTokenSigningAlg { get; init; }
    public bool IsPairwise { get; init; }
    /// <summary>The host pairwise subjects are computed for (sector identifier, else the redirect URI host).</summary>
    public required string SectorHost { get; init; }
    public string? BackChannelLogoutUri { get; init; }
    /// <summary>Front-Channel Logout 1.0: framed, with <c>iss</c> and <c>sid</c>, when the user logs out in the browser.</summary>
    public string? FrontChannelLogoutUri { get; init; }
    public bool FrontChannelLogoutSessionRequired { get; init; }
    /// <summary>RFC 9126 §6: an authorization request that was not pushed is refused, whatever the deployment requires.</summary>
    public bool RequirePushedAuthorizationRequests { get; init; }
    /// <summary>RFC 9101 §10.5: an authorization request that is not a signed request object (sent or pushed) is refused.</summary>
    public bool RequireSignedRequestObject { get; init; }
    public string? RequiredNetwork { get; init; }
    public string? Provisioning { get; init; }
    public string? SignInMethod { get; init; }

    public bool AllowsGrant(string grantType) => AllowedGrantTypes.Contains(grantType);

    internal static RegisteredClient From(Client c)
    {
        var redirects = ParseList(c.RedirectUris);
        return new RegisteredClient
        {
            ClientId = c.ClientId,
            ClientName = c.ClientName,
            Enabled = c.Enabled,
            IsPublic = c.ClientType == ClientTypes.Public,
            RedirectUris = redirects,
            PostLogoutRedirectUris = ParseList(c.PostLogoutRedirectUris),
            AllowedScopes = Split(c.AllowedScopes),
            AllowedGrantTypes = Split(c.AllowedGrantTypes),
            TokenEndpointAuthMethod = c.ClientType == ClientTypes.Public ? "none" : c.TokenEndpointAuthMethod,
            Jwks = ParseJwks(c.JwksJson),
            Secrets = c.Secrets.Select(s => new StoredSecret(s.Hash, s.ExpiresAt)).ToList(),
            RequirePkce = c.ClientType == ClientTypes.Public || c.RequirePkce,
            RequireConsent = c.RequireConsent,
            AccessTokenLifetime = TimeSpan.FromSeconds(Math.Clamp(c.AccessTokenLifetimeSeconds, 300, 3600)),
            IdTokenLifetime = TimeSpan.FromSeconds(Math.Clamp(c.IdTokenLifetimeSeconds, 60, 3600)),
            RefreshTokenSlidingLifetime = TimeSpan.FromSeconds(Math.Max(60, c.RefreshTokenSlidingLifetimeSeconds)),
            RefreshTokenAbsoluteLifetime = TimeSpan.FromSeconds(Math.Max(60, c.RefreshTokenAbsoluteLifetimeSeconds)),
            IdTokenSigningAlg = c.IdTokenSigningAlg == "ES256" ? "ES256" : "RS256",
            IsPairwise = c.SubjectType == "pairwise",
            SectorHost = SectorOf(c.SectorIdentifier, redirects, c.ClientId),
            BackChannelLogoutUri = string.IsNullOrWhiteSpace(c.BackChannelLogoutUri) ? null : c.BackChannelLogoutUri,
            FrontChannelLogoutUri = string.IsNullOrWhiteSpace(c.FrontChannelLogoutUri) ? null : c.FrontChannelLogoutUri,
            FrontChannelLogoutSessionRequired = c.FrontChannelLogoutSessionRequired,
            RequirePushedAuthorizationRequests = c.RequirePushedAuthorizationRequests,
            RequireSignedRequestObject = c.RequireSignedRequestObject,
            RequiredNetwork = string.IsNullOrWhiteSpace(c.RequiredNetwork) ? null : c.RequiredNetwork,
            Provisioning = c.Provisioning,
            SignInMethod = c.SignInMethod,
        };
    }

    private static List<string> ParseList(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json)?.Where(s => !string.IsNullOrEmpty(s)).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static HashSet<string> Split(string value) =>
        new(value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    private static JsonWebKeySet? ParseJwks(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            var set = new JsonWebKeySet(json);
            set.SkipUnresolvedJsonWebKeys = true;
            return set;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// OIDC Core §8.1: the sector identifier's host when one is registered, else the host of the redirect
    /// URIs (the first one's, or its scheme for a private-use scheme), else the client id.
    /// </summary>
    private static string SectorOf(string? sectorIdentifier, List<string> redirects, string clientId)
    {
        if (!string.IsNullOrWhiteSpace(sectorIdentifier))
            return Uri.TryCreate(sectorIdentifier, UriKind.Absolute, out var s) && s.Host.Length > 0 ? s.Host.ToLowerInvariant() : sectorIdentifier;
        foreach (var r in redirects)
            if (RedirectUriRules.SectorHostOf(r) is { } host)
                return host;
        return clientId;
    }
}

/// <summary>A stored client secret hash with its optional expiry.</summary>
public sealed record StoredSecret(string Hash, DateTimeOffset? ExpiresAt);
