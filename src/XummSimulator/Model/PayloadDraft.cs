namespace XummSimulator.Model;

/// <summary>The validated content of a payload creation request.</summary>
public sealed record PayloadDraft
{
    public required string TxType { get; init; }

    public string TxDestination { get; init; } = "";

    /// <summary>The <c>txjson</c> object as JSON text.</summary>
    public required string RequestJson { get; init; }

    public bool Submit { get; init; } = true;

    public bool Multisign { get; init; }

    /// <summary>Minutes until expiry, or null for the simulator default.</summary>
    public int? ExpireMinutes { get; init; }

    public string? ReturnUrlApp { get; init; }

    public string? ReturnUrlWeb { get; init; }

    public XummNetwork? ForceNetwork { get; init; }

    public IReadOnlyList<string>? Signers { get; init; }

    public string? CustomIdentifier { get; init; }

    public string? CustomInstruction { get; init; }

    /// <summary><c>custom_meta.blob</c> as JSON text, or null.</summary>
    public string? CustomBlobJson { get; init; }

    public string? UserToken { get; init; }

    /// <summary>The draft of the SignIn payload behind an OAuth2 sign-in.</summary>
    public static PayloadDraft SignIn(XummNetwork? forceNetwork, IReadOnlyList<string>? signers) => new()
    {
        TxType = "SignIn",
        RequestJson = """{"TransactionType":"SignIn","SignIn":true}""",
        Submit = false,
        ForceNetwork = forceNetwork,
        Signers = signers,
    };
}
