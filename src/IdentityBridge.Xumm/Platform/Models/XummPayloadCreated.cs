namespace IdentityBridge.Xumm;

/// <summary>Answer to <c>POST /payload</c>.</summary>
public sealed record XummPayloadCreated
{
    /// <summary>Identifier of the new payload.</summary>
    public required string Uuid { get; init; }

    /// <summary>Where to send the user.</summary>
    public required XummPayloadNext Next { get; init; }

    /// <summary>QR code and status channel of the payload.</summary>
    public XummPayloadRefs? Refs { get; init; }

    /// <summary>True when the payload was delivered by push to the user of the given user token.</summary>
    public bool Pushed { get; init; }
}

/// <summary>The <c>next</c> object of a created payload.</summary>
public sealed record XummPayloadNext
{
    /// <summary>Deep link / web page that opens the payload.</summary>
    public required string Always { get; init; }

    /// <summary>Fallback page when a push notification did not arrive.</summary>
    public string? NoPushMsgReceived { get; init; }
}

/// <summary>The <c>refs</c> object of a created payload.</summary>
public sealed record XummPayloadRefs
{
    /// <summary>URL of a PNG QR code.</summary>
    public string? QrPng { get; init; }

    /// <summary>URL of the QR code as a JSON matrix.</summary>
    public string? QrMatrix { get; init; }

    /// <summary>Quality settings the QR URLs accept.</summary>
    public IReadOnlyList<string>? QrUriQualityOpts { get; init; }

    /// <summary>Websocket that reports the payload's status live.</summary>
    public string? WebsocketStatus { get; init; }
}
