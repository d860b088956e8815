namespace IdentityBridge.Xumm;

/// <summary>Return URLs after signing, for the app and for a web browser.</summary>
public sealed record XummReturnUrl
{
    /// <summary>Opened when the payload was opened in the app (e.g. by push or deep link).</summary>
    public string? App { get; init; }

    /// <summary>Opened when the payload was opened from a web browser.</summary>
    public string? Web { get; init; }
}
