namespace IdentityBridge.Xumm;

/// <summary>Answer to <c>DELETE /payload/{uuid}</c>.</summary>
public sealed record XummPayloadCancellation
{
    /// <summary>Whether the cancellation took effect and why not.</summary>
    public required XummCancelResult Result { get; init; }

    /// <summary>State of the payload afterwards.</summary>
    public XummPayloadMeta? Meta { get; init; }

    /// <summary>The caller's own data, echoed back.</summary>
    public XummCustomMeta? CustomMeta { get; init; }
}

/// <summary>The <c>result</c> object of a cancellation.</summary>
public sealed record XummCancelResult
{
    /// <summary>True when the payload is now cancelled.</summary>
    public bool Cancelled { get; init; }

    /// <summary>OK, ALREADY_CANCELLED, ALREADY_RESOLVED, ALREADY_OPENED, ALREADY_EXPIRED, ...</summary>
    public string? Reason { get; init; }
}
