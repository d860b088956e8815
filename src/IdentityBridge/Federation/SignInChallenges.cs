using IdentityBridge.RelyingParty;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Federation;

/// <summary>
/// Builds the properties of an upstream challenge: the operation (kept in the protected state) and the
/// Xumm-specific parameters, <c>force_network</c> from the client's required network and <c>signers</c> from
/// an r-address login hint. Both are also kept in the operation, so that the callback checks the result itself.
/// </summary>
public sealed class SignInChallenges(ClientSignInPolicies clients)
{
    public const string ForceNetworkParameter = "force_network";
    public const string SignersParameter = "signers";

    /// <param name="returnUrl">A local URL (checked by the caller with <see cref="ReturnUrls.IsLocal"/>).</param>
    /// <param name="loginHint">The <c>login_hint</c> the authorize endpoint passed on, if any.</param>
    public async Task<AuthenticationProperties> ForLoginAsync(HttpContext context, string returnUrl, string? loginHint, CancellationToken ct = default)
    {
        var authorize = ReturnUrls.ParseAuthorize(returnUrl, context.Request.PathBase);
        var policy = authorize?.ClientId is { } clientId ? await clients.FindAsync(clientId, ct) : null;
        var network = policy?.RequiredNetwork;

        var hint = loginHint ?? authorize?.LoginHint;
        var hintedWallet = XrplAddress.IsValid(hint) ? hint : null;

        var properties = new AuthenticationProperties { RedirectUri = returnUrl };
        new SignInOperation(SignInOperationKind.Login, returnUrl, authorize?.ClientId, network, HintedWallet: hintedWallet).WriteTo(properties);
        if (network is not null)
            properties.SetAuthorizationParameter(ForceNetworkParameter, network);
        if (hintedWallet is not null)
            properties.SetAuthorizationParameter(SignersParameter, hintedWallet);
        return properties;
    }

    /// <summary>A challenge whose result links the signing wallet to <paramref name="accountId"/>.</summary>
    public static AuthenticationProperties ForLink(string accountId)
    {
        var properties = new AuthenticationProperties { RedirectUri = XummSignIn.AccountPath };
        new SignInOperation(SignInOperationKind.Link, XummSignIn.AccountPath, AccountId: accountId).WriteTo(properties);
        return properties;
    }
}
