namespace IdentityBridge.Provider.Ciba;

/// <summary>Names of OpenID Connect Client-Initiated Backchannel Authentication (CIBA) Core 1.0 as the bridge uses them.</summary>
public static class Ciba
{
    /// <summary>The backchannel authentication endpoint.</summary>
    public const string Path = "/connect/ciba";

    public const string PollMode = "poll";
    public const string PingMode = "ping";

    /// <summary>binding_message is required here and shown in the wallet app with the client's name.</summary>
    public const int MaxBindingMessageLength = 64;

    /// <summary>Added to the interval on each slow_down (CIBA §11 / RFC 8628 §3.5).</summary>
    public const int SlowDownStepSeconds = 5;

    public const int MaxNotificationTokenLength = 1024;

    internal const string ProtectionPurpose = "IdentityBridge.Ciba.v1";

    /// <summary>Error codes of CIBA §13 and §11.</summary>
    public static class Errors
    {
        public const string UnknownUserId = "unknown_user_id";
        public const string InvalidBindingMessage = "invalid_binding_message";
        public const string AuthorizationPending = "authorization_pending";
        public const string SlowDown = "slow_down";
        public const string ExpiredToken = "expired_token";
        public const string TemporarilyUnavailable = "temporarily_unavailable";
    }
}
