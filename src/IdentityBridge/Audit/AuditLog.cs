using System.Text.Json;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Audit;

/// <summary>Writes admin changes and security events to the audit trail.</summary>
public sealed class AuditLog(IDbContextFactory<BridgeDbContext> factory, TimeProvider time, IHttpContextAccessor http, ILogger<AuditLog> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records one event. Never throws: a failing audit write is logged, not fatal to the request.</summary>
    public async Task WriteAsync(string type, string actor, string? accountId = null, string? clientId = null,
        bool success = true, string? reason = null, object? details = null, CancellationToken ct = default)
    {
        var context = http.HttpContext;
        var evt = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Type = type,
            Actor = actor,
            AccountId = accountId,
            ClientId = clientId,
            Success = success,
            Reason = reason,
            RemoteIp = context?.Connection.RemoteIpAddress?.ToString(),
            RequestId = context?.TraceIdentifier,
            Details = details is null ? null : JsonSerializer.Serialize(details, Json),
        };
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            db.AuditEvents.Add(evt);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or OperationCanceledException)
        {
            logger.LogError(ex, "Could not write audit event {Type}", type);
        }
        logger.LogInformation("Audit {Type} actor={Actor} account={AccountId} client={ClientId} success={Success} reason={Reason}",
            type, actor, accountId, clientId, success, reason);
    }
}

/// <summary>Audit event types: one name per idea, used by code, the API and the console filters.</summary>
public static class AuditTypes
{
    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string TokenIssued = "token.issued";
    public const string TokenRefused = "token.refused";
    public const string RefreshReuseDetected = "token.refresh_reuse_detected";
    public const string TokenRevoked = "token.revoked";
    public const string Logout = "session.logout";
    public const string SessionRevoked = "session.revoked";
    public const string AccountCreated = "account.created";
    public const string AccountUpdated = "account.updated";
    public const string AccountDeleted = "account.deleted";
    public const string AccountDisabled = "account.disabled";
    public const string AccountEnabled = "account.enabled";
    public const string WalletLinked = "wallet.linked";
    public const string WalletUnlinked = "wallet.unlinked";
    public const string RoleGranted = "account.role_granted";
    public const string RoleRevoked = "account.role_revoked";
    public const string ClientCreated = "client.created";
    public const string ClientUpdated = "client.updated";
    public const string ClientDeleted = "client.deleted";
    public const string ClientSecretRotated = "client.secret_rotated";
    public const string KeyCreated = "key.created";
    public const string KeyRotated = "key.rotated";
    public const string KeyRetired = "key.retired";
    public const string ConsentGranted = "consent.granted";
    public const string ConsentDenied = "consent.denied";
}
