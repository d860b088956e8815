namespace XummSimulator.Model;

/// <summary>
/// A sign request held by the simulator. Read-only from outside; the simulator changes it under its
/// state lock. A payload is created by the platform API or behind an OAuth2 sign-in.
/// </summary>
public sealed class SimulatedPayload
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SimulatedPayload(string uuid, string apiKey, PayloadOrigin origin, PayloadDraft draft, DateTimeOffset createdAt, DateTimeOffset expiresAt, bool pushed)
    {
        Uuid = uuid;
        ApiKey = apiKey;
        Origin = origin;
        Draft = draft;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Pushed = pushed;
    }

    public string Uuid { get; }

    /// <summary>Creation order (creation times can tie under a stopped test clock).</summary>
    internal long Sequence { get; init; }

    /// <summary>The application (API key) the payload belongs to.</summary>
    public string ApiKey { get; }

    public PayloadOrigin Origin { get; }

    /// <summary>What the creator asked for.</summary>
    public PayloadDraft Draft { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>True when the creator sent a live user token, so the payload went out as a push notification.</summary>
    public bool Pushed { get; }

    public bool Opened { get; internal set; }

    public bool OpenedByDeeplink { get; internal set; }

    /// <summary>How the wallet reached the payload: QR, DEEP_LINK or PUSH_NOTIFICATION (null until opened).</summary>
    public string? OriginType { get; internal set; }

    /// <summary>Signed or rejected by the wallet.</summary>
    public bool Resolved { get; internal set; }

    public bool Signed { get; internal set; }

    /// <summary>Cancelled through <c>DELETE /payload/{uuid}</c>.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Expired ahead of time through the control API.</summary>
    public bool ForcedExpired { get; internal set; }

    public DateTimeOffset? ResolvedAt { get; internal set; }

    /// <summary>The r-address that signed.</summary>
    public string? Account { get; internal set; }

    /// <summary>The network the wallet signed on.</summary>
    public XummNetwork? Network { get; internal set; }

    /// <summary>The signed blob: a real signed SignIn pseudo-transaction; a stand-in for other transaction types.</summary>
    public string? Hex { get; internal set; }

    public string? TxId { get; internal set; }

    public string? SignMethod { get; internal set; }

    /// <summary>The user token issued (or renewed) for the signer and this application.</summary>
    public string? IssuedUserToken { get; internal set; }

    /// <summary>Identifies the resolution call (websocket message and webhook delivery).</summary>
    public string? ReferenceCallUuid { get; internal set; }

    /// <summary>The platform's view: cancelled and forced-expired payloads, and any past their expiry, are expired.</summary>
    public bool IsExpired(DateTimeOffset now) => Cancelled || ForcedExpired || now >= ExpiresAt;

    public PayloadStatus StatusAt(DateTimeOffset now) =>
        Resolved ? (Signed ? PayloadStatus.Signed : PayloadStatus.Rejected)
        : Cancelled ? PayloadStatus.Cancelled
        : IsExpired(now) ? PayloadStatus.Expired
        : PayloadStatus.Pending;

    internal Task Changed => Volatile.Read(ref _changed).Task;

    internal void NotifyChanged()
    {
        var previous = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
