namespace IdentityBridge.Xumm;

/// <summary>The wallet and context a verified xApp token speaks for.</summary>
public sealed record XAppIdentity
{
    /// <summary>The wallet's r-address.</summary>
    public required string Account { get; init; }

    /// <summary>Network type (MAINNET, TESTNET, ...), when the token names one.</summary>
    public string? Network { get; init; }

    /// <summary>Websocket endpoint of the network.</summary>
    public string? NetworkEndpoint { get; init; }

    /// <summary>Numeric network id.</summary>
    public int? NetworkId { get; init; }

    /// <summary>User token for push delivery of later payloads.</summary>
    public string? UserToken { get; init; }

    /// <summary>Display name of the application.</summary>
    public string? AppName { get; init; }

    /// <summary>When the token was issued.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>When the token expires.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
