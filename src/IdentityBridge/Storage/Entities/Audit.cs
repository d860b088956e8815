namespace IdentityBridge.Storage.Entities;

/// <summary>An admin change or security event.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset Time { get; set; }
    /// <summary>Dotted type, e.g. signin.succeeded, token.issued, client.updated.</summary>
    public required string Type { get; set; }
    /// <summary>Who acted: an account id, a client id, <c>cli</c> or <c>system</c>.</summary>
    public required string Actor { get; set; }
    public string? AccountId { get; set; }
    public string? ClientId { get; set; }
    public bool Success { get; set; } = true;
    public string? Reason { get; set; }
    public string? RemoteIp { get; set; }
    public string? RequestId { get; set; }
    /// <summary>JSON: before/after for changes (never secrets), extra facts for events.</summary>
    public string? Details { get; set; }
}
