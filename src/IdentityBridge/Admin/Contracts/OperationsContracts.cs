using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityBridge.Admin.Contracts;

/// <summary>A signing key's public facts: never the private key.</summary>
public sealed record SigningKeyView(
    string Kid,
    string Algorithm,
    string Status,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatesAt,
    DateTimeOffset? RetiresAt,
    DateTimeOffset? ExpiresAt,
    JsonElement? PublicJwk);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RotateKeyInput
{
    /// <summary>RS256 or ES256; the configured default when omitted.</summary>
    public string? Algorithm { get; set; }
}

public sealed record AuditEventView(
    long Id,
    DateTimeOffset Time,
    string Type,
    string Actor,
    string? AccountId,
    string? ClientId,
    bool Success,
    string? Reason,
    string? RemoteIp,
    string? RequestId,
    JsonElement? Details);

public sealed record PageView<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, int TotalPages);
