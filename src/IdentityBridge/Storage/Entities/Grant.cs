namespace IdentityBridge.Storage.Entities;

/// <summary>
/// A persisted grant: authorization code, refresh token, CIBA request. The handle given to the
/// client is never stored; <see cref="Key"/> is its SHA-256.
/// </summary>
public sealed class Grant
{
    public required string Key { get; set; }
    /// <summary>authorization_code, refresh_token, ...</summary>
    public required string Type { get; set; }
    public required string ClientId { get; set; }
    public string? AccountId { get; set; }
    public string? SessionId { get; set; }
    /// <summary>Refresh token family, or the code a family was issued from.</summary>
    public string? FamilyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Set once, atomically, when a code or refresh token is redeemed.</summary>
    public DateTimeOffset? ConsumedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>Type-specific JSON (scopes, nonce, PKCE challenge, redirect URI, claims snapshot...).</summary>
    public required string Data { get; set; }
}

/// <summary>A remembered consent: account + client + scopes.</summary>
public sealed class Consent
{
    public required string AccountId { get; set; }
    public required string ClientId { get; set; }
    /// <summary>Space separated, sorted.</summary>
    public required string Scopes { get; set; }
    public DateTimeOffset GrantedAt { get; set; }
}
