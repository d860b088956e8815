namespace IdentityBridge.Xumm;

/// <summary>Why a platform call failed. Carries no credentials.</summary>
public sealed record XummError
{
    /// <summary>Broad class of failure.</summary>
    public required XummErrorKind Kind { get; init; }

    /// <summary>Short human-readable explanation.</summary>
    public required string Description { get; init; }

    /// <summary>HTTP status of the answer, when there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The platform's own error code, when it gave one.</summary>
    public string? UpstreamCode { get; init; }

    /// <summary>The platform's error reference (for its support), when it gave one.</summary>
    public string? UpstreamReference { get; init; }

    /// <summary>How long to wait before trying again, for <see cref="XummErrorKind.RateLimited"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
