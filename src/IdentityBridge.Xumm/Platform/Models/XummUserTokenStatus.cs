namespace IdentityBridge.Xumm;

/// <summary>One entry of the answer to <c>POST /user-tokens</c>.</summary>
public sealed record XummUserTokenStatus
{
    /// <summary>The user token asked about.</summary>
    public required string UserToken { get; init; }

    /// <summary>True while the token can still be used for push delivery.</summary>
    public bool Active { get; init; }

    /// <summary>Issue time, unix seconds.</summary>
    public long? Issued { get; init; }

    /// <summary>Expiry, unix seconds.</summary>
    public long? Expires { get; init; }
}

/// <summary>Body of the answer to <c>POST /user-tokens</c>.</summary>
internal sealed record XummUserTokenList
{
    public IReadOnlyList<XummUserTokenStatus>? Tokens { get; init; }
}
