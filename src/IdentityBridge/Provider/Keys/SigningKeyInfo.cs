namespace IdentityBridge.Provider.Keys;

/// <summary>A signing key as the admin API lists it (never the private part).</summary>
public sealed record SigningKeyInfo(
    string Kid,
    string Algorithm,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatesAt,
    DateTimeOffset? RetiresAt,
    DateTimeOffset? ExpiresAt,
    /// <summary>announced (in JWKS, not yet signing), active, retired (in JWKS, no longer signing), expired or revoked (out of JWKS before its time).</summary>
    string Status,
    /// <summary>True for the key that signs new tokens of its algorithm right now.</summary>
    bool Signing,
    string PublicJwk);
