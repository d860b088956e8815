namespace XummSimulator;

/// <summary>Configuration of the simulator (configuration section <c>Simulator</c> when standalone).</summary>
public sealed class XummSimulatorOptions
{
    /// <summary>
    /// The OAuth2 issuer and public base URL. When null it is derived from each request:
    /// scheme, host, path base and the prefix the simulator is mapped at.
    /// </summary>
    public string? Issuer { get; set; }

    public IList<XummSimulatorApp> Apps { get; } = new List<XummSimulatorApp>();

    /// <summary>When set, <c>/auth</c> approves at once as this r-address instead of showing the sign page.</summary>
    public string? AutoApprove { get; set; }

    /// <summary>The network a wallet signs on unless the request pins one with <c>force_network</c>.</summary>
    public string Network { get; set; } = XummNetworks.Mainnet.Name;

    /// <summary>Lifetime of the OAuth2 JWT (the platform documents 24 hours).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>r-addresses that userinfo and xApp context report with <c>blocked: true</c>.</summary>
    public IList<string> UserBlocked { get; } = new List<string>();

    /// <summary>r-addresses that userinfo and xApp context report with <c>kycApproved: true</c>.</summary>
    public IList<string> KycApproved { get; } = new List<string>();

    /// <summary>How long an authorization code can be redeemed.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Payload expiry when the creator does not send <c>options.expire</c>.</summary>
    public TimeSpan PayloadExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A user token expires this long after the last payload signed with it.</summary>
    public TimeSpan UserTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Lifetime of the HS256 JWT returned with an xApp one-time token.</summary>
    public TimeSpan XAppTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an xApp one-time token can be resolved.</summary>
    public TimeSpan OneTimeTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Payload creations allowed per application and minute (429 beyond).</summary>
    public int PayloadCreationsPerMinute { get; set; } = 30;

    /// <summary>Platform API calls allowed per API key and minute (429 beyond).</summary>
    public int ApiCallsPerMinute { get; set; } = 200;

    /// <summary>A webhook delivery that has no HTTP 200 within this time counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Delays before each retry of a failed webhook delivery. Null means the platform's schedule:
    /// 10 s, 60 s, 600 s, 600 s.
    /// </summary>
    public IList<TimeSpan>? WebhookRetryDelays { get; set; }

    /// <summary>Interval of the <c>expires_in_seconds</c> messages on the payload websocket.</summary>
    public TimeSpan WebSocketStatusInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Put a <c>kid</c> in the JWT header and the JWKS (the platform does not reliably do so).</summary>
    public bool EmitKeyId { get; set; }

    /// <summary>Map the <c>/_sim</c> automation endpoints. They have no authentication: tests only.</summary>
    public bool EnableControlEndpoints { get; set; } = true;

    internal static readonly TimeSpan[] PlatformRetryDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(600),
    ];

    internal IReadOnlyList<TimeSpan> EffectiveWebhookRetryDelays =>
        WebhookRetryDelays is null ? PlatformRetryDelays : [.. WebhookRetryDelays];
}
