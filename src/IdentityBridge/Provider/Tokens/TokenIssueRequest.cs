using IdentityBridge.Provider.Clients;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Provider.Tokens;

/// <summary>What <see cref="TokenIssuer"/> mints tokens for.</summary>
public sealed record TokenIssueRequest
{
    public required RegisteredClient Client { get; init; }

    /// <summary>The grant type (for the audit trail).</summary>
    public required string GrantType { get; init; }

    /// <summary>The user's account; null for a token about the client itself (client_credentials).</summary>
    public string? AccountId { get; init; }

    /// <summary>
    /// The account of <see cref="AccountId"/> when the caller has already read it (without roles and
    /// wallets); the issuer reads the account itself when this is null or the scopes release roles or wallets.
    /// </summary>
    public Account? Account { get; init; }

    /// <summary>Scopes of the access token (and the claims of the ID token).</summary>
    public required IReadOnlyCollection<string> Scopes { get; init; }

    /// <summary>How the user authenticated; required with <see cref="AccountId"/>.</summary>
    public LoginFacts? Login { get; init; }

    /// <summary>
    /// The claims the authorize request asked for by name (OIDC Core §5.5): added to the ID token and returned by
    /// userinfo beyond those of <see cref="Scopes"/>, as far as the client's allowed scopes permit; kept with the refresh token.
    /// </summary>
    public RequestedClaims? Claims { get; init; }

    /// <summary>The authorize request's nonce, echoed in the ID token.</summary>
    public string? Nonce { get; init; }

    /// <summary>An allowed RFC 8707 resource: the access token's audience (else the client id).</summary>
    public string? Resource { get; init; }

    /// <summary>The grant family (code redemption or refresh chain); a new one when null.</summary>
    public string? FamilyId { get; init; }

    /// <summary>
    /// Whether to issue a refresh token. Null: when offline_access is in <see cref="RefreshTokenScopes"/>
    /// (or <see cref="Scopes"/>) and the client may use the refresh_token grant. Refresh tokens issued
    /// without offline_access are bound to the session and end with it.
    /// </summary>
    public bool? IssueRefreshToken { get; init; }

    /// <summary>Scopes the refresh token keeps (a refresh may narrow the access token's scopes); default <see cref="Scopes"/>.</summary>
    public IReadOnlyCollection<string>? RefreshTokenScopes { get; init; }

    /// <summary>When the refresh family started (absolute lifetime); default now.</summary>
    public DateTimeOffset? FamilyCreatedAt { get; init; }

    /// <summary>
    /// The stored key of the refresh token this issue rotates: it is consumed in the same transaction that
    /// stores its successor, and the issue fails with <see cref="TokenResult.RotationLost"/> when another
    /// request consumed it first.
    /// </summary>
    public string? RotatesRefreshTokenKey { get; init; }

    /// <summary>
    /// The stored key of the authorization code this issue redeems: it is consumed in the statement that stores the
    /// first refresh token (or on its own when none is issued), after every check has passed, and the issue fails
    /// with <see cref="TokenResult.RotationLost"/> when another request consumed it first or it was revoked meanwhile.
    /// </summary>
    public string? RedeemsCodeKey { get; init; }

    /// <summary>
    /// The JWK thumbprint of the token request's DPoP proof: the access token is bound to it (<c>cnf.jkt</c>, RFC 9449
    /// §6.1) and its token_type is DPoP; a public client's refresh token is bound to it as well (§5).
    /// </summary>
    public string? DPoPJkt { get; init; }

    /// <summary>Whether to add an ID token when openid is among the scopes.</summary>
    public bool IncludeIdToken { get; init; } = true;
}
