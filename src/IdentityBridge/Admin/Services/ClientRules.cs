using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Clients;
using IdentityBridge.Configuration;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Admin.Services;

/// <summary>
/// What a client registration must satisfy, shared by the API, the CLI, the console and import; the startup
/// validation of clients declared in configuration applies the rules that are not tied to <see cref="ClientInput"/>.
/// Field names in errors are the JSON names of <see cref="ClientInput"/>.
/// </summary>
public static partial class ClientRules
{
    public static readonly string[] KnownScopes = ["openid", "profile", "email", "wallet", "roles", "offline_access", "bridge.admin"];
    public const string CibaGrantType = "urn:openid:params:grant-type:ciba";
    public static readonly string[] KnownGrantTypes =
        ["authorization_code", "refresh_token", "client_credentials", CibaGrantType, "urn:ietf:params:oauth:grant-type:token-exchange"];
    public static readonly string[] ConfidentialAuthMethods = ["client_secret_basic", "client_secret_post", "private_key_jwt"];
    public const int MaxUris = 50;
    public const int DefaultAccessTokenLifetime = 900;
    public const int DefaultIdTokenLifetime = 300;
    public const int DefaultRefreshSliding = 1_209_600;
    public const int DefaultRefreshAbsolute = 2_592_000;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,31}$")]
    private static partial Regex NetworkPattern();

    public static bool IsValidClientId(string? id) => id is not null && ClientIdPattern().IsMatch(id);

    /// <summary>Null when the URI may be registered for a client of this type; otherwise why not.</summary>
    public static string? CheckRedirectUri(string? uri, string? clientType) =>
        RedirectUriRules.CheckRegistration(uri, isNative: clientType == ClientTypes.Public);

    public static void Validate(ClientInput c, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(c.ClientId)) errors.Add("clientId", "is required");
        else if (!IsValidClientId(c.ClientId))
            errors.Add("clientId", "must be 1 to 200 characters: letters, digits, '.', '_', ':' or '-', starting with a letter or digit");

        // The name is shown to users on the consent and sign-in pages and printed by the CLI to an administrator's
        // terminal, where a control character (an escape sequence) would act rather than show.
        if (c.ClientName is { } name && (name.Length > 200 || string.IsNullOrWhiteSpace(name)))
            errors.Add("clientName", "must be 1 to 200 characters");
        else if (c.ClientName is { } shown && shown.Any(char.IsControl))
            errors.Add("clientName", "must not contain control characters");
        if (c.Description is { Length: > 1000 }) errors.Add("description", "must be at most 1000 characters");
        else if (c.Description is { } description && description.Any(ch => char.IsControl(ch) && ch is not ('\n' or '\r' or '\t')))
            errors.Add("description", "must not contain control characters other than line breaks and tabs");

        var type = c.ClientType ?? ClientTypes.Confidential;
        if (type is not (ClientTypes.Confidential or ClientTypes.Public))
            errors.Add("clientType", "must be 'confidential' or 'public'");
        var isPublic = type == ClientTypes.Public;

        var grants = c.AllowedGrantTypes ?? ["authorization_code"];
        CheckList(grants, "allowedGrantTypes", KnownGrantTypes, errors);
        if (isPublic)
            foreach (var grant in ConfidentialOnlyGrantTypes.Where(grants.Contains))
                errors.Add("allowedGrantTypes", $"{grant} needs a confidential client");
        if (grants.Count == 0) errors.Add("allowedGrantTypes", "must name at least one grant type");

        CheckList(c.AllowedScopes ?? ["openid"], "allowedScopes", KnownScopes, errors);

        var redirects = c.RedirectUris ?? [];
        CheckUris(redirects, "redirectUris", type, errors);
        if (grants.Contains("authorization_code") && redirects.Count == 0)
            errors.Add("redirectUris", "the authorization_code grant needs at least one redirect URI");
        CheckUris(c.PostLogoutRedirectUris ?? [], "postLogoutRedirectUris", type, errors);

        var method = c.TokenEndpointAuthMethod ?? DefaultAuthMethod(type);
        if (isPublic && method != "none")
            errors.Add("tokenEndpointAuthMethod", "must be 'none' for a public client");
        if (!isPublic && !ConfidentialAuthMethods.Contains(method))
            errors.Add("tokenEndpointAuthMethod", $"must be one of {string.Join(", ", ConfidentialAuthMethods)} for a confidential client");
        if (method == "private_key_jwt" && !IsJwks(c.Jwks))
            errors.Add("jwks", "a JWK Set with a 'keys' array is required for private_key_jwt");
        else if (c.Jwks is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } jwks)
        {
            if (!IsJwks(jwks)) errors.Add("jwks", "must be a JWK Set: an object with a 'keys' array");
            else if (ClientJwks.Problem(jwks.GetRawText()) is { } problem) errors.Add("jwks", $"must hold at least one usable public signing key (RSA or EC): {problem}");
        }

        // RFC 9101 §10.5: a request object is verified with a key of the client's JWKS.
        if (c.RequireSignedRequestObject == true && !IsJwks(c.Jwks))
            errors.Add("requireSignedRequestObject", "needs a JWK Set (jwks) to verify the request objects with");

        if (isPublic && c.RequirePkce == false) errors.Add("requirePkce", "public clients always use PKCE");

        CheckRange(c.AccessTokenLifetime, "accessTokenLifetime", 300, 3600, errors);
        CheckRange(c.IdTokenLifetime, "idTokenLifetime", 60, 3600, errors);
        CheckRange(c.RefreshTokenSlidingLifetime, "refreshTokenSlidingLifetime", 300, 31_536_000, errors);
        CheckRange(c.RefreshTokenAbsoluteLifetime, "refreshTokenAbsoluteLifetime", 300, 31_536_000, errors);
        if ((c.RefreshTokenSlidingLifetime ?? DefaultRefreshSliding) > (c.RefreshTokenAbsoluteLifetime ?? DefaultRefreshAbsolute))
            errors.Add("refreshTokenSlidingLifetime", "must not exceed refreshTokenAbsoluteLifetime");

        if (c.IdTokenSigningAlg is not (null or "RS256" or "ES256")) errors.Add("idTokenSigningAlg", "must be RS256 or ES256");
        if (c.SubjectType is not (null or "public" or "pairwise")) errors.Add("subjectType", "must be 'public' or 'pairwise'");
        if (c.SectorIdentifier is { } sector && CheckHttpsUrl(sector) is { } sectorProblem) errors.Add("sectorIdentifier", sectorProblem);
        if (MissingSectorIdentifier(c.SubjectType, c.SectorIdentifier, redirects) is { } missingSector) errors.Add("sectorIdentifier", missingSector);
        if (c.BackChannelLogoutUri is { } logout && CheckHttpsUrl(logout) is { } logoutProblem) errors.Add("backChannelLogoutUri", logoutProblem);
        if (c.FrontChannelLogoutUri is { } frontChannel && CheckHttpsUrl(frontChannel) is { } frontChannelProblem) errors.Add("frontChannelLogoutUri", frontChannelProblem);
        if (c.RequiredNetwork is { } network && !NetworkPattern().IsMatch(network))
            errors.Add("requiredNetwork", "must be a network name such as MAINNET or TESTNET, or omitted for any network");
        if (c.Provisioning is not (null or nameof(ProvisioningMode.AutoCreate) or nameof(ProvisioningMode.AllowList)))
            errors.Add("provisioning", "must be AutoCreate, AllowList or omitted (deployment default)");
        if (c.SignInMethod is not (null or SignInMethods.XummOidc or SignInMethods.XummPayload))
            errors.Add("signInMethod", "must be xumm-oidc, xumm-payload or omitted (deployment default)");
        if (c.BackchannelTokenDeliveryMode is not (null or "poll" or "ping"))
            errors.Add("backchannelTokenDeliveryMode", "must be 'poll', 'ping' or omitted");
        if (c.BackchannelTokenDeliveryMode == "ping" && c.BackchannelClientNotificationEndpoint is null)
            errors.Add("backchannelClientNotificationEndpoint", "is required for the ping delivery mode");
        if (c.BackchannelClientNotificationEndpoint is { } ping && CheckHttpsUrl(ping) is { } pingProblem)
            errors.Add("backchannelClientNotificationEndpoint", pingProblem);
    }

    /// <summary>
    /// Grants a public client may not have, because the endpoint that serves them requires client authentication:
    /// client_credentials (RFC 6749 §4.4) and CIBA, whose backchannel authentication request is always
    /// authenticated (CIBA Core §7.1). A public client given one would never be able to use it.
    /// </summary>
    public static readonly string[] ConfidentialOnlyGrantTypes = ["client_credentials", CibaGrantType];

    /// <summary>
    /// Why a client needs a sector identifier it lacks, or null. OIDC Core §8.1: without a sector identifier the
    /// pairwise sector is the redirect URIs' host; when they name several hosts one must be registered, or the
    /// pairwise subjects would follow whichever URI is listed first. A blank value counts as none, as it does
    /// when the sector is computed.
    /// </summary>
    public static string? MissingSectorIdentifier(string? subjectType, string? sectorIdentifier, IEnumerable<string> redirectUris) =>
        subjectType == "pairwise" && string.IsNullOrWhiteSpace(sectorIdentifier) &&
        redirectUris.Select(RedirectUriRules.SectorHostOf).OfType<string>().Distinct(StringComparer.Ordinal).Skip(1).Any()
            ? "is required for pairwise subjects when the redirect URIs name more than one host (OIDC Core §8.1)"
            : null;

    public static string DefaultAuthMethod(string clientType) => clientType == ClientTypes.Public ? "none" : "client_secret_basic";

    /// <summary>Whether a client with these settings authenticates with a shared secret.</summary>
    public static bool UsesSecret(Client c) => c.ClientType == ClientTypes.Confidential && c.TokenEndpointAuthMethod is "client_secret_basic" or "client_secret_post";

    /// <summary>Copies validated settings onto the entity (full replacement; omitted fields take defaults).</summary>
    public static void Apply(ClientInput input, Client c, DateTimeOffset now)
    {
        var type = input.ClientType ?? ClientTypes.Confidential;
        c.ClientName = string.IsNullOrWhiteSpace(input.ClientName) ? c.ClientId : input.ClientName.Trim();
        c.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description;
        c.Enabled = input.Enabled ?? true;
        c.ClientType = type;
        c.RedirectUris = JsonSerializer.Serialize(input.RedirectUris ?? []);
        c.PostLogoutRedirectUris = JsonSerializer.Serialize(input.PostLogoutRedirectUris ?? []);
        c.AllowedScopes = string.Join(' ', (input.AllowedScopes ?? ["openid"]).Distinct(StringComparer.Ordinal));
        c.AllowedGrantTypes = string.Join(' ', (input.AllowedGrantTypes ?? ["authorization_code"]).Distinct(StringComparer.Ordinal));
        c.TokenEndpointAuthMethod = input.TokenEndpointAuthMethod ?? DefaultAuthMethod(type);
        c.JwksJson = input.Jwks is { ValueKind: JsonValueKind.Object } jwks ? jwks.GetRawText() : null;
        c.RequirePkce = type == ClientTypes.Public || (input.RequirePkce ?? true);
        c.RequireConsent = input.RequireConsent ?? false;
        c.AccessTokenLifetimeSeconds = input.AccessTokenLifetime ?? DefaultAccessTokenLifetime;
        c.IdTokenLifetimeSeconds = input.IdTokenLifetime ?? DefaultIdTokenLifetime;
        c.RefreshTokenSlidingLifetimeSeconds = input.RefreshTokenSlidingLifetime ?? DefaultRefreshSliding;
        c.RefreshTokenAbsoluteLifetimeSeconds = input.RefreshTokenAbsoluteLifetime ?? DefaultRefreshAbsolute;
        c.IdTokenSigningAlg = input.IdTokenSigningAlg ?? "RS256";
        c.SubjectType = input.SubjectType ?? "public";
        c.SectorIdentifier = input.SectorIdentifier;
        c.BackChannelLogoutUri = input.BackChannelLogoutUri;
        c.FrontChannelLogoutUri = input.FrontChannelLogoutUri;
        c.FrontChannelLogoutSessionRequired = input.FrontChannelLogoutSessionRequired ?? false;
        c.RequirePushedAuthorizationRequests = input.RequirePushedAuthorizationRequests ?? false;
        c.RequireSignedRequestObject = input.RequireSignedRequestObject ?? false;
        c.RequiredNetwork = input.RequiredNetwork;
        c.Provisioning = input.Provisioning;
        c.SignInMethod = input.SignInMethod;
        c.BackchannelTokenDeliveryMode = input.BackchannelTokenDeliveryMode;
        c.BackchannelClientNotificationEndpoint = input.BackchannelClientNotificationEndpoint;
        c.UpdatedAt = now;
    }

    /// <summary>The entity's settings as an input (for views, partial updates and export).</summary>
    public static T ToInput<T>(Client c) where T : ClientInput, new() => new()
    {
        ClientId = c.ClientId,
        ClientName = c.ClientName,
        Description = c.Description,
        Enabled = c.Enabled,
        ClientType = c.ClientType,
        RedirectUris = ParseUris(c.RedirectUris),
        PostLogoutRedirectUris = ParseUris(c.PostLogoutRedirectUris),
        AllowedScopes = Split(c.AllowedScopes),
        AllowedGrantTypes = Split(c.AllowedGrantTypes),
        TokenEndpointAuthMethod = c.TokenEndpointAuthMethod,
        Jwks = c.JwksJson is null ? null : JsonDocument.Parse(c.JwksJson).RootElement.Clone(),
        RequirePkce = c.RequirePkce,
        RequireConsent = c.RequireConsent,
        AccessTokenLifetime = c.AccessTokenLifetimeSeconds,
        IdTokenLifetime = c.IdTokenLifetimeSeconds,
        RefreshTokenSlidingLifetime = c.RefreshTokenSlidingLifetimeSeconds,
        RefreshTokenAbsoluteLifetime = c.RefreshTokenAbsoluteLifetimeSeconds,
        IdTokenSigningAlg = c.IdTokenSigningAlg,
        SubjectType = c.SubjectType,
        SectorIdentifier = c.SectorIdentifier,
        BackChannelLogoutUri = c.BackChannelLogoutUri,
        FrontChannelLogoutUri = c.FrontChannelLogoutUri,
        FrontChannelLogoutSessionRequired = c.FrontChannelLogoutSessionRequired,
        RequirePushedAuthorizationRequests = c.RequirePushedAuthorizationRequests,
        RequireSignedRequestObject = c.RequireSignedRequestObject,
        RequiredNetwork = c.RequiredNetwork,
        Provisioning = c.Provisioning,
        SignInMethod = c.SignInMethod,
        BackchannelTokenDeliveryMode = c.BackchannelTokenDeliveryMode,
        BackchannelClientNotificationEndpoint = c.BackchannelClientNotificationEndpoint,
    };

    public static ClientView ToView(Client c)
    {
        var view = ToInput<ClientView>(c);
        view.Secrets = c.Secrets.OrderBy(s => s.Id).Select(s => new ClientSecretView(s.Id, s.Description, s.CreatedAt, s.ExpiresAt)).ToList();
        view.CreatedAt = c.CreatedAt;
        view.UpdatedAt = c.UpdatedAt;
        view.ETag = EntityTags.Of(c.Version, c.CreatedAt);
        return view;
    }

    public static List<string> ParseUris(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static List<string> Split(string value) => value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static void CheckList(List<string> values, string field, string[] known, FieldErrors errors)
    {
        for (var i = 0; i < values.Count; i++)
            if (!known.Contains(values[i], StringComparer.Ordinal))
                errors.Add($"{field}[{i}]", $"'{values[i]}' is not one of {string.Join(", ", known)}");
    }

    private static void CheckUris(List<string> uris, string field, string clientType, FieldErrors errors)
    {
        if (uris.Count > MaxUris) errors.Add(field, $"must have at most {MaxUris} entries");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < uris.Count; i++)
        {
            if (CheckRedirectUri(uris[i], clientType) is { } problem) errors.Add($"{field}[{i}]", problem);
            else if (!seen.Add(uris[i])) errors.Add($"{field}[{i}]", "is listed twice");
        }
    }

    private static void CheckRange(int? value, string field, int min, int max, FieldErrors errors)
    {
        if (value is { } v && (v < min || v > max)) errors.Add(field, $"must be from {min} to {max} seconds");
    }

    private static string? CheckHttpsUrl(string value)
    {
        if (value.Any(char.IsWhiteSpace) || value.Any(char.IsControl)) return "must not contain white space or control characters";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Fragment))
            return "must be an absolute URL without a fragment";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || uri.Host == "localhost")) return null;
        return "must use https (http only for loopback hosts)";
    }

    private static bool IsJwks(JsonElement? jwks) =>
        jwks is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array;
}
