namespace IdentityBridge.Storage.Entities;

/// <summary>A bridge login session (the <c>sid</c> of ID tokens), behind the session cookie.</summary>
public sealed class Session
{
    public required string Id { get; set; }
    public required string AccountId { get; set; }
    /// <summary>The wallet the user signed in with.</summary>
    public required string Wallet { get; set; }
    public string? Network { get; set; }
    /// <summary>Sign-in method: xumm-oidc, xumm-payload, xumm-push, xapp, ciba.</summary>
    public required string Method { get; set; }
    public string? Acr { get; set; }
    public DateTimeOffset AuthTime { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? RemoteIp { get; set; }
    public string? UserAgent { get; set; }

    public List<SessionClient> Clients { get; set; } = [];
}

/// <summary>A client that received tokens within a session (for back-channel logout).</summary>
public sealed class SessionClient
{
    public required string SessionId { get; set; }
    public required string ClientId { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
}
