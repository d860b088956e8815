using System.Text.Json;

namespace IdentityBridge.Xumm;

/// <summary>Answer to <c>GET /payload/{uuid}</c>.</summary>
public sealed record XummPayloadDetails
{
    /// <summary>State of the payload.</summary>
    public required XummPayloadMeta Meta { get; init; }

    /// <summary>The application that created it.</summary>
    public XummPayloadApplication? Application { get; init; }

    /// <summary>The request as stored by the platform (transaction type, template, times).</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>The user's answer, once resolved.</summary>
    public XummPayloadResponse? Response { get; init; }

    /// <summary>The caller's own data, echoed back.</summary>
    public XummCustomMeta? CustomMeta { get; init; }
}

/// <summary>The <c>meta</c> object of a payload.</summary>
public sealed record XummPayloadMeta
{
    /// <summary>False or absent for an unknown payload.</summary>
    public bool? Exists { get; init; }

    /// <summary>Identifier of the payload.</summary>
    public string? Uuid { get; init; }

    /// <summary>Whether the platform submits the signed transaction.</summary>
    public bool? Submit { get; init; }

    /// <summary>True once signed, rejected, cancelled or expired.</summary>
    public bool Resolved { get; init; }

    /// <summary>True when the user signed.</summary>
    public bool Signed { get; init; }

    /// <summary>True when cancelled by the application.</summary>
    public bool Cancelled { get; init; }

    /// <summary>True when it expired unresolved.</summary>
    public bool Expired { get; init; }

    /// <summary>True when it was delivered by push.</summary>
    public bool? Pushed { get; init; }

    /// <summary>True once the user opened it in the app.</summary>
    public bool? AppOpened { get; init; }

    /// <summary>True when opened through a deep link rather than a QR scan; null until known.</summary>
    public bool? OpenedByDeeplink { get; init; }

    /// <summary>Return URL for the app.</summary>
    public string? ReturnUrlApp { get; init; }

    /// <summary>Return URL for a web browser.</summary>
    public string? ReturnUrlWeb { get; init; }

    /// <summary>True when opened inside an xApp.</summary>
    public bool? IsXapp { get; init; }
}

/// <summary>The <c>application</c> object of a payload.</summary>
public sealed record XummPayloadApplication
{
    /// <summary>The application's API key.</summary>
    public string? Uuidv4 { get; init; }

    /// <summary>Display name of the application.</summary>
    public string? Name { get; init; }

    /// <summary>A user token issued by this signature, when one was.</summary>
    public string? IssuedUserToken { get; init; }
}

/// <summary>The <c>response</c> object of a payload.</summary>
public sealed record XummPayloadResponse
{
    /// <summary>The r-address that signed.</summary>
    public string? Account { get; init; }

    /// <summary>The signed transaction blob.</summary>
    public string? Hex { get; init; }

    /// <summary>Hash of the signed transaction.</summary>
    public string? Txid { get; init; }

    /// <summary>When the user resolved the payload.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Network type the user signed on (MAINNET, TESTNET, ...).</summary>
    public string? EnvironmentNodetype { get; init; }

    /// <summary>Node the app was connected to.</summary>
    public string? EnvironmentNodeuri { get; init; }

    /// <summary>Numeric network id the user signed on.</summary>
    public int? EnvironmentNetworkid { get; init; }

    /// <summary>Node the transaction was submitted to, when submitted.</summary>
    public string? DispatchedTo { get; init; }

    /// <summary>Engine result of the submission, when submitted.</summary>
    public string? DispatchedResult { get; init; }

    /// <summary>How the user approved (PIN, BIOMETRIC, PASSPHRASE, ...).</summary>
    public string? ApprovedWith { get; init; }
}
