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

    /// <summary>
    /// Whether <paramref name="mode"/> admits <paramref name="account"/> for a login made with <paramref name="wallet"/>
    /// (null for a login without one, such as a token exchange: then AllowList admits an enrolled account only).
    /// </summary>
    public static bool AdmitsLogin(ProvisioningMode mode, Storage.Entities.Account account, string? wallet, BridgeOptions options) =>
        wallet is not null ? Admits(mode, account.Enrolled, wallet, options) : mode != ProvisioningMode.AllowList || account.Enrolled;

    /// <summary>A client's provisioning override (case-insensitive), or null when it has none or it is not a known mode.</summary>
    public static ProvisioningMode? Parse(string? value) =>
        Enum.TryParse<ProvisioningMode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode : null;
}
