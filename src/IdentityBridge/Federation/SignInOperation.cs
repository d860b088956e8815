using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Federation;

public enum SignInOperationKind
{
    /// <summary>A login: the wallet becomes a session.</summary>
    Login,
    /// <summary>A signed-in user proves control of another wallet to link it to the account.</summary>
    Link,
}

/// <summary>
/// What an upstream challenge was for. Kept in the challenge's <see cref="AuthenticationProperties"/>, which the
/// handler protects (encrypted and signed) into the <c>state</c> parameter, so it comes back unaltered.
/// <see cref="PinnedNetwork"/> and <see cref="HintedWallet"/> are what the challenge asked Xumm to enforce
/// (<c>force_network</c>, <c>signers</c>); the callback checks both again rather than trusting the platform.
/// </summary>
public sealed record SignInOperation(
    SignInOperationKind Kind,
    string ReturnUrl,
    string? ClientId = null,
    string? PinnedNetwork = null,
    string? AccountId = null,
    string? HintedWallet = null)
{
    private const string KindKey = "bridge.op";
    private const string ReturnUrlKey = "bridge.return_url";
    private const string ClientKey = "bridge.client_id";
    private const string NetworkKey = "bridge.network";
    private const string AccountKey = "bridge.account";
    private const string HintKey = "bridge.hint";

    public void WriteTo(AuthenticationProperties properties)
    {
        properties.Items[KindKey] = Kind == SignInOperationKind.Link ? "link" : "login";
        properties.Items[ReturnUrlKey] = ReturnUrl;
        properties.Items[ClientKey] = ClientId;
        properties.Items[NetworkKey] = PinnedNetwork;
        properties.Items[AccountKey] = AccountId;
        properties.Items[HintKey] = HintedWallet;
    }

    /// <summary>The operation behind a callback, or null when the properties do not describe one.</summary>
    public static SignInOperation? From(AuthenticationProperties? properties)
    {
        if (properties is null) return null;
        var items = properties.Items;
        if (!items.TryGetValue(ReturnUrlKey, out var returnUrl) || !ReturnUrls.IsLocal(returnUrl)) return null;
        var kind = items.TryGetValue(KindKey, out var k) ? k : null;
        items.TryGetValue(ClientKey, out var clientId);
        items.TryGetValue(NetworkKey, out var network);
        items.TryGetValue(AccountKey, out var accountId);
        items.TryGetValue(HintKey, out var hint);
        return kind switch
        {
            "login" => new(SignInOperationKind.Login, returnUrl!, NullIfEmpty(clientId), NullIfEmpty(network), HintedWallet: NullIfEmpty(hint)),
            "link" when !string.IsNullOrEmpty(accountId) => new(SignInOperationKind.Link, returnUrl!, AccountId: accountId),
            _ => null,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
