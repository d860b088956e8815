namespace IdentityBridge.Storage.Entities;

/// <summary>A Xumm user token (push delivery), encrypted at rest.</summary>
public sealed class UserToken
{
    public long Id { get; set; }
    public required string AccountId { get; set; }
    public required string Wallet { get; set; }
    /// <summary>SHA-256 of the token, for look-ups without decrypting.</summary>
    public required string TokenHash { get; set; }
    public required string ProtectedToken { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A webhook delivery already handled (idempotency by reference_call_uuidv4).</summary>
public sealed class WebhookDelivery
{
    public required string ReferenceCallUuid { get; set; }
    public required string PayloadUuid { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
}

/// <summary>A bridge-hosted sign-in (QR, push, CIBA) following one SignIn payload.</summary>
public sealed class SignInRequest
{
    public required string Id { get; set; }
    /// <summary>qr, push, ciba.</summary>
    public required string Kind { get; set; }
    public string? PayloadUuid { get; set; }
    public string? ClientId { get; set; }
    /// <summary>pending, signed, rejected, expired, cancelled, failed.</summary>
    public string Status { get; set; } = "pending";
    public string? Wallet { get; set; }
    public string? Network { get; set; }
    public string? AccountId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    /// <summary>Kind-specific JSON (binding message, CIBA mode, scopes, return URL...).</summary>
    public string Data { get; set; } = "{}";
}
