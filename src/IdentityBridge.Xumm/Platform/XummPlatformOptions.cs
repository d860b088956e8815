namespace IdentityBridge.Xumm;

/// <summary>Credentials and behaviour of the Xumm platform API client (configuration section <c>Xumm</c>).</summary>
public sealed class XummPlatformOptions
{
    /// <summary>Base address of the real platform API.</summary>
    public const string DefaultApiBaseUrl = "https://xumm.app/api/v1/platform";

    /// <summary>Retries of idempotent calls are capped at this number.</summary>
    public const int MaxRetryLimit = 2;

    /// <summary>Base address of the platform API, without a trailing slash.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>The application's API key (also its OAuth2 <c>client_id</c>).</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The application's API secret. Never logged, never rendered.</summary>
    public string ApiSecret { get; set; } = string.Empty;

    /// <summary>Time allowed for one attempt of one call.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of idempotent calls (GET, DELETE) after a 5xx, a timeout or a transport error.</summary>
    public int MaxRetries { get; set; } = MaxRetryLimit;

    /// <summary>First retry waits about this long (plus jitter); each further retry doubles it.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// When the platform asks to slow down, a call waits up to this long for the limit to lift; if the
    /// wait would be longer, the call fails at once with a rate-limited error.
    /// </summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long calls hold back after the quota runs out when the platform does not say how long.</summary>
    public TimeSpan RateLimitCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Problems with these settings, each naming its key; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("Xumm:ApiBaseUrl must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(ApiKey) || ApiKey.Any(char.IsControl))
        {
            problems.Add("Xumm:ApiKey is required and must be a single line.");
        }

        if (string.IsNullOrWhiteSpace(ApiSecret) || ApiSecret.Any(char.IsControl))
        {
            problems.Add("Xumm:ApiSecret is required and must be a single line.");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(ApiSecret) < XAppJwt.MinimumSecretBytes)
        {
            problems.Add($"Xumm:ApiSecret must be at least {XAppJwt.MinimumSecretBytes} bytes long (Xumm issues 36-character UUIDs).");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add("Xumm:Timeout must be positive.");
        }

        if (MaxRetries is < 0 or > MaxRetryLimit)
        {
            problems.Add($"Xumm:MaxRetries must be between 0 and {MaxRetryLimit}.");
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxRateLimitWait < TimeSpan.Zero || RateLimitCooldown < TimeSpan.Zero)
        {
            problems.Add("Xumm:RetryBaseDelay, Xumm:MaxRateLimitWait and Xumm:RateLimitCooldown must not be negative.");
        }

        return problems;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"XummPlatformOptions {{ ApiBaseUrl = {ApiBaseUrl}, ApiKey = {ApiKey}, ApiSecret = [redacted], Timeout = {Timeout} }}";
}
