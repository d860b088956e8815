namespace IdentityBridge.Xumm;

/// <summary>The <c>options</c> object of a payload.</summary>
public sealed record XummPayloadOptions
{
    /// <summary>Whether Xumm submits the signed transaction to the ledger.</summary>
    public bool? Submit { get; init; }

    /// <summary>Minutes until the payload expires unopened.</summary>
    public int? Expire { get; init; }

    /// <summary>Where the user goes after signing.</summary>
    public XummReturnUrl? ReturnUrl { get; init; }

    /// <summary>Network the user must sign on (MAINNET, TESTNET, XAHAU, ...).</summary>
    public string? ForceNetwork { get; init; }

    /// <summary>The only r-addresses allowed to sign.</summary>
    public IReadOnlyList<string>? Signers { get; init; }
}
