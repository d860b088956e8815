namespace IdentityBridge.Storage.Entities;

/// <summary>A token signing key. The private part is encrypted with data protection.</summary>
public sealed class SigningKey
{
    public required string Id { get; set; }
    /// <summary>RS256 or ES256.</summary>
    public required string Algorithm { get; set; }
    public required string ProtectedPrivateKey { get; set; }
    /// <summary>Public JWK (JSON) as served in the JWKS.</summary>
    public required string PublicJwk { get; set; }
    /// <summary>imported (from PEM) or generated.</summary>
    public string Source { get; set; } = "generated";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Announced in JWKS from creation; used for signing from here on.</summary>
    public DateTimeOffset ActivatesAt { get; set; }
    /// <summary>No longer used for signing after this.</summary>
    public DateTimeOffset? RetiresAt { get; set; }
    /// <summary>Removed from JWKS after this (after the last token it signed has expired).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>An ASP.NET Core data protection key, shared by every node.</summary>
public sealed class DataProtectionKey
{
    public long Id { get; set; }
    public required string FriendlyName { get; set; }
    public required string Xml { get; set; }
}
