namespace IdentityBridge.Xumm;

/// <summary>What goes into a minted xApp token.</summary>
public sealed record XAppJwtDescriptor
{
    /// <summary>The application's API key (<c>client_id</c>, <c>app_uuidv4</c>).</summary>
    public required string ApiKey { get; init; }

    /// <summary>The wallet's r-address (<c>sub</c>, <c>account</c>).</summary>
    public required string Account { get; init; }

    /// <summary>Issue time (<c>iat</c>).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Time from issue to expiry.</summary>
    public TimeSpan Lifetime { get; init; } = XAppJwt.DefaultLifetime;

    /// <summary>Display name of the application.</summary>
    public string? AppName { get; init; }

    /// <summary>User token for push delivery.</summary>
    public string? UserToken { get; init; }

    /// <summary>Network type.</summary>
    public string NetworkType { get; init; } = "MAINNET";

    /// <summary>Websocket endpoint of the network.</summary>
    public string? NetworkEndpoint { get; init; } = "wss://xrplcluster.com";

    /// <summary>Numeric network id.</summary>
    public int? NetworkId { get; init; } = 0;
}
