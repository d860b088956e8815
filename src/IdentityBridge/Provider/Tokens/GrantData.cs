using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityBridge.Provider.Tokens;

/// <summary>What an authorization code is bound to (stored in <c>grants.data</c>).</summary>
public sealed record AuthorizationCodeData(
    [property: JsonPropertyName("redirect_uri")] string RedirectUri,
    [property: JsonPropertyName("code_challenge")] string? CodeChallenge,
    [property: JsonPropertyName("nonce")] string? Nonce,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("login")] LoginFacts Login,
    [property: JsonPropertyName("acr_values")] string? AcrValues,
    [property: JsonPropertyName("resource")] string? Resource)
{
    /// <summary>The JWK thumbprint the authorize request's dpop_jkt bound the code to (RFC 9449 §10).</summary>
    [JsonPropertyName("dpop_jkt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DPoPJkt { get; init; }

    /// <summary>The claims the authorize request's claims parameter asked for (OIDC Core §5.5), by name.</summary>
    [JsonPropertyName("claims")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RequestedClaims? Claims { get; init; }
}

/// <summary>
/// The claims an authorization request asked for by name (OIDC Core §5.5), beyond those of its scopes: for the ID
/// token and for userinfo. Only names this bridge releases and the client's scopes allow; null for none.
/// </summary>
public sealed record RequestedClaims(
    [property: JsonPropertyName("id_token")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? IdToken,
    [property: JsonPropertyName("userinfo")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? UserInfo)
{
    public bool IsEmpty => IdToken is null && UserInfo is null;
}

/// <summary>The login behind a family of access tokens that no code or refresh token stands for (stored in <c>grants.data</c>).</summary>
public sealed record IssuedFamilyData([property: JsonPropertyName("login")] LoginFacts Login);

/// <summary>What a refresh token carries (stored in <c>grants.data</c>).</summary>
public sealed record RefreshTokenData(
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("login")] LoginFacts Login,
    [property: JsonPropertyName("family_created_at")] DateTimeOffset FamilyCreatedAt,
    [property: JsonPropertyName("resource")] string? Resource,
    /// <summary>True when offline_access was granted: the token outlives the session (logout).</summary>
    [property: JsonPropertyName("offline")] bool Offline)
{
    /// <summary>The JWK thumbprint a public client's refresh token is bound to (RFC 9449 §5): refreshes need a proof of that key.</summary>
    [JsonPropertyName("jkt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DPoPJkt { get; init; }

    /// <summary>The claims the authorize request asked for by name (OIDC Core §5.5), which every refresh honours again.</summary>
    [JsonPropertyName("claims")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RequestedClaims? Claims { get; init; }
}

/// <summary>The parameters of a pushed authorization request as they were validated (stored in <c>grants.data</c>).</summary>
public sealed record PushedAuthorizationData([property: JsonPropertyName("parameters")] string Parameters);

internal static class GrantJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Grant row types.</summary>
public static class GrantTypes
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    /// <summary>
    /// A family of access tokens issued without a code or a refresh token (CIBA, token exchange), kept while its
    /// access tokens live, so that revoking an account's or a wallet's tokens finds it as it finds the others.
    /// </summary>
    public const string IssuedFamily = "issued_family";
    /// <summary>Marker: every token of a family is revoked (read by userinfo/introspection for access tokens).</summary>
    public const string FamilyRevocation = "family_revocation";
    /// <summary>Marker: one access token (by jti) is revoked.</summary>
    public const string AccessTokenRevocation = "access_token_revocation";
    /// <summary>A private_key_jwt assertion's jti, kept until the assertion expires (replay protection).</summary>
    public const string ClientAssertion = "client_assertion";
    /// <summary>A pushed authorization request (RFC 9126), under the key of its request_uri, until it is used or expires.</summary>
    public const string PushedAuthorization = "pushed_authorization";
    /// <summary>A DPoP proof's jti with its key's thumbprint, kept while the proof could be accepted (replay protection).</summary>
    public const string DPoPProof = "dpop_proof";
    /// <summary>
    /// A notification to a client's server (back-channel logout, CIBA ping) waiting for its next attempt, under a random
    /// key, until it is delivered, fails for good, or its delivery window ends (<c>expires_at</c>); <c>consumed_at</c> is
    /// when the attempt is due. See <see cref="Notifications.ClientNotificationOutbox"/>.
    /// </summary>
    public const string ClientNotification = "client_notification";
    /// <summary>Deployment secret (pairwise subject salt), data protected.</summary>
    public const string DeploymentSecret = "deployment_secret";
}
