using IdentityBridge.Configuration;

namespace IdentityBridge.Accounts;

/// <summary>
/// Who may sign in under a provisioning mode. Enrolment is an authorization rule: it is checked for the
/// client at hand at every sign-in and every authorization, whatever sign-in created the account or the
/// session, not only when a wallet is first seen.
/// </summary>
public static class ProvisioningRules
{
    /// <summary>
    /// Whether <paramref name="mode"/> admits an account signed in with <paramref name="wallet"/>:
    /// AutoCreate admits every account; AllowList only an enrolled account, or a bootstrap wallet.
    /// </summary>
    public static bool Admits(ProvisioningMode mode, bool enrolled, string wallet, BridgeOptions options) =>
        mode == ProvisioningMode.AutoCreate || enrolled || options.Admin.BootstrapWallets.Contains(wallet, StringComparer.Ordinal);

    /// <summary>A client's provisioning override (case-insensitive), or null when it has none or it is not a known mode.</summary>
    public static ProvisioningMode? Parse(string? value) =>
        Enum.TryParse<ProvisioningMode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode : null;
}
