using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// Tuning of the bridge-hosted sign-in with SignIn payloads (QR, deep link, push), webhooks, user tokens
/// and CIBA: configuration section <c>Xumm:Payload</c>. Every value has a safe default.
/// </summary>
public sealed class PayloadSignInOptions
{
    public const string Section = "Xumm:Payload";

    /// <summary>The platform's documented minimum for polling one payload.</summary>
    public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromSeconds(3);

    /// <summary>How long a QR / push sign-in stays open (whole minutes: the platform counts minutes).</summary>
    public TimeSpan PayloadExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Interval between GET /payload calls for one payload when its websocket is not available (at least 3 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Follow pending payloads on their status websocket (off: polling only).</summary>
    public bool UseWebSocket { get; set; } = true;

    /// <summary>Payloads followed at once per node; beyond this they are left to polling and webhooks.</summary>
    public int MaxFollowedPayloads { get; set; } = 500;

    /// <summary>How far a webhook's timestamp may be from our clock (replay bound).</summary>
    public TimeSpan WebhookTimestampWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A user token lives this long after the last payload signed with it (the platform's rule).</summary>
    public TimeSpan UserTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often live user tokens are checked with POST /user-tokens (zero: never).</summary>
    public TimeSpan UserTokenCheckInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long the browser remembers the wallet of its last sign-in (for push the next time).</summary>
    public TimeSpan RememberWallet { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether a SignIn blob signed with another key than the account's master key (its regular key, which the bridge
    /// cannot tell from any other key without reading the ledger) signs in.
    /// </summary>
    public RegularKeySignatures RegularKeySignatures { get; set; } = RegularKeySignatures.Accept;

    public CibaOptions Ciba { get; set; } = new();
}

/// <summary>What a signature by a regular key does (<c>Xumm:Payload:RegularKeySignatures</c>).</summary>
public enum RegularKeySignatures
{
    /// <summary>It signs in, audited with the key, on the platform's word that the key is the account's.</summary>
    Accept,
    /// <summary>It is refused like any payload that fails a check: only a master-key signature signs in.</summary>
    Refuse,
}

/// <summary>CIBA tuning (<c>Xumm:Payload:Ciba</c>).</summary>
public sealed class CibaOptions
{
    /// <summary>expires_in when the client sends no requested_expiry.</summary>
    public int DefaultExpirySeconds { get; set; } = 300;

    /// <summary>Smallest and largest requested_expiry honoured (longer requests are cut down).</summary>
    public int MinExpirySeconds { get; set; } = 60;
    public int MaxExpirySeconds { get; set; } = 600;

    /// <summary>Minimum seconds between token requests for one auth_req_id (the interval answered).</summary>
    public int IntervalSeconds { get; set; } = 5;
}

internal sealed class PayloadSignInOptionsValidator : IValidateOptions<PayloadSignInOptions>
{
    public ValidateOptionsResult Validate(string? name, PayloadSignInOptions o)
    {
        var errors = new List<string>();
        var k = PayloadSignInOptions.Section;
        if (o.PayloadExpiry < TimeSpan.FromMinutes(1) || o.PayloadExpiry > TimeSpan.FromHours(1) || o.PayloadExpiry.Ticks % TimeSpan.TicksPerMinute != 0)
            errors.Add($"{k}:PayloadExpiry must be whole minutes between 00:01:00 and 01:00:00, not {o.PayloadExpiry}.");
        if (o.PollInterval < PayloadSignInOptions.MinimumPollInterval)
            errors.Add($"{k}:PollInterval must be at least 00:00:03 (the platform frowns on faster polling), not {o.PollInterval}.");
        if (o.MaxFollowedPayloads is < 0 or > 100_000)
            errors.Add($"{k}:MaxFollowedPayloads must be between 0 and 100000, not {o.MaxFollowedPayloads}.");
        if (o.WebhookTimestampWindow < TimeSpan.FromSeconds(30) || o.WebhookTimestampWindow > TimeSpan.FromMinutes(15))
            errors.Add($"{k}:WebhookTimestampWindow must be between 00:00:30 and 00:15:00, not {o.WebhookTimestampWindow}.");
        if (o.UserTokenLifetime <= TimeSpan.Zero)
            errors.Add($"{k}:UserTokenLifetime must be positive.");
        if (o.UserTokenCheckInterval < TimeSpan.Zero || (o.UserTokenCheckInterval > TimeSpan.Zero && o.UserTokenCheckInterval < TimeSpan.FromMinutes(5)))
            errors.Add($"{k}:UserTokenCheckInterval must be zero (off) or at least 00:05:00, not {o.UserTokenCheckInterval}.");
        if (o.RememberWallet < TimeSpan.Zero || o.RememberWallet > TimeSpan.FromDays(400))
            errors.Add($"{k}:RememberWallet must be between zero (off) and 400 days, not {o.RememberWallet}.");
        var c = o.Ciba;
        if (c.MinExpirySeconds < 30 || c.MaxExpirySeconds < c.MinExpirySeconds || c.MaxExpirySeconds > 3600)
            errors.Add($"{k}:Ciba:MinExpirySeconds must be at least 30 and MaxExpirySeconds between it and 3600.");
        if (c.DefaultExpirySeconds < c.MinExpirySeconds || c.DefaultExpirySeconds > c.MaxExpirySeconds)
            errors.Add($"{k}:Ciba:DefaultExpirySeconds must lie between MinExpirySeconds and MaxExpirySeconds.");
        if (c.IntervalSeconds is < 1 or > 60)
            errors.Add($"{k}:Ciba:IntervalSeconds must be between 1 and 60, not {c.IntervalSeconds}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
