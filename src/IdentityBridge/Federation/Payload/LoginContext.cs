using IdentityBridge.Configuration;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Xumm;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// What a browser sign-in knows before it starts: where to return, for which client (from the authorize
/// request in the return URL), the client's network pin and provisioning, and a wallet hint (an r-address
/// <c>login_hint</c>).
/// </summary>
public sealed record LoginContext(string ReturnUrl, RegisteredClient? Client, string? HintedWallet, string? RequiredNetwork, ProvisioningMode Provisioning)
{
    public string ClientName => Client?.ClientName ?? "IdentityBridge";
}

public sealed class LoginContextReader(ClientStore clients, IOptions<BridgeOptions> bridge)
{
    /// <summary>Null when <paramref name="returnUrl"/> is not a path on this host.</summary>
    public async Task<LoginContext?> ReadAsync(HttpContext context, string? returnUrl, string? loginHint, CancellationToken ct)
    {
        if (!ReturnUrls.IsLocal(returnUrl)) return null;
        var authorize = AuthorizeErrorResponder.ParseReturnUrl(context, returnUrl);
        var client = authorize?["client_id"] is { } clientId ? await clients.FindEnabledAsync(clientId, ct) : null;
        var hint = Wallet(loginHint) ?? Wallet(authorize?["login_hint"]);
        var network = client?.RequiredNetwork?.Trim().ToUpperInvariant();
        return new LoginContext(returnUrl!, client, hint, string.IsNullOrEmpty(network) ? null : network, ProvisioningOf(client?.Provisioning));
    }

    public ProvisioningMode ProvisioningOf(string? clientProvisioning) =>
        Enum.TryParse<ProvisioningMode>(clientProvisioning, ignoreCase: true, out var mode) ? mode : bridge.Value.Provisioning;

    private static string? Wallet(string? hint) => hint is not null && XrplAddress.IsValid(hint.Trim()) ? hint.Trim() : null;
}
