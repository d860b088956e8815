namespace IdentityBridge.Configuration;

/// <summary>The <c>Xumm</c> configuration section: the upstream application's credentials.</summary>
public sealed class XummOptions
{
    public const string Section = "Xumm";

    /// <summary>OIDC authority. In Development with the simulator, the in-process simulator's URL.</summary>
    public string Authority { get; set; } = "https://oauth2.xumm.app";

    /// <summary>Platform API base.</summary>
    public string ApiBaseUrl { get; set; } = "https://xumm.app/api/v1/platform";

    /// <summary>The application's API Key (= OIDC client_id).</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The application's API Secret. Server side only: never logged or rendered.</summary>
    public string ApiSecret { get; set; } = "";

    public SimulatorOptions Simulator { get; set; } = new();
}

public sealed class SimulatorOptions
{
    /// <summary>Hosts the Xumm simulator in-process under <c>/xumm-sim</c>. Refused in Production.</summary>
    public bool Enabled { get; set; }

    /// <summary>When set, the simulator approves every sign-in at once as this r-address.</summary>
    public string? AutoApprove { get; set; }

    public string Network { get; set; } = "MAINNET";
}
