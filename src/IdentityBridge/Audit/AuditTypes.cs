namespace IdentityBridge.Audit;

/// <summary>Audit event types: one name per idea, used by code, the API and the console filters.</summary>
public static class AuditTypes
{
    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string TokenIssued = "token.issued";
    public const string TokenRefused = "token.refused";
    public const string PushedAuthorizationRefused = "par.refused";
    public const string RefreshReuseDetected = "token.refresh_reuse_detected";
    public const string TokenRevoked = "token.revoked";
    public const string Logout = "session.logout";
    public const string SessionRevoked = "session.revoked";
    public const string SessionExpired = "session.expired";
    public const string BackChannelLogoutFailed = "session.backchannel_logout_failed";
    public const string AccountCreated = "account.created";
    public const string AccountUpdated = "account.updated";
    public const string AccountDeleted = "account.deleted";
    public const string AccountDisabled = "account.disabled";
    public const string AccountEnabled = "account.enabled";
    public const string AccountEnrolled = "account.enrolled";
    public const string AccountUnenrolled = "account.unenrolled";
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
    public const string KeyRevoked = "key.revoked";
    public const string ConsentGranted = "consent.granted";
    public const string ConsentDenied = "consent.denied";
}
