using System.Text.Json.Nodes;

namespace IdentityBridge.Xumm;

/// <summary>Body of <c>POST /payload</c>: a transaction template plus delivery options.</summary>
public sealed record XummPayloadRequest
{
    /// <summary>The transaction template, e.g. <c>{ "TransactionType": "SignIn" }</c>.</summary>
    public required JsonObject Txjson { get; init; }

    /// <summary>Delivery and signing options.</summary>
    public XummPayloadOptions? Options { get; init; }

    /// <summary>Data of the caller's own, echoed back on the payload and in webhooks.</summary>
    public XummCustomMeta? CustomMeta { get; init; }

    /// <summary>A user token: the payload is pushed to that user instead of shown as a QR code.</summary>
    public string? UserToken { get; init; }

    /// <summary>A sign-in pseudo transaction: signature only, never submitted to a ledger.</summary>
    public static XummPayloadRequest SignIn(
        XummPayloadOptions? options = null,
        XummCustomMeta? customMeta = null,
        string? userToken = null) => new()
        {
            Txjson = new JsonObject { ["TransactionType"] = "SignIn" },
            Options = options,
            CustomMeta = customMeta,
            UserToken = userToken,
        };
}
