using IdentityBridge.Accounts;
using IdentityBridge.Configuration;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Xumm;

namespace IdentityBridge.Federation.XApps;

/// <summary>An xApp identity after every check, with the account it maps to; or why it was refused.</summary>
public sealed record XAppSignInResult(XAppIdentity? Identity, string? AccountId, string? Error, string? Description)
{
    public bool Succeeded => Identity is not null && AccountId is not null;

    public static XAppSignInResult Fail(string error, string description) => new(null, null, error, description);
}

/// <summary>
/// Signs in the user of an xApp. The proof is the xApp JWT Xumm hands out for the app's one-time token: HS256
/// with our API secret, <c>client_id</c> = our API key, unexpired (<see cref="XAppJwtValidator"/>). The bridge
/// gets it either by resolving the one-time token itself (<c>GET /xapp?xAppToken=</c>) or from an xApp backend
/// in a token exchange; either way the wallet is mapped to its account and its user token kept for push.
/// </summary>
public sealed class XAppSignIn(XummPlatformClient xumm, XAppJwtValidator validator, AccountService accounts, UserTokenStore userTokens, ILogger<XAppSignIn> logger)
{
    /// <summary>Error codes of <see cref="XAppSignInResult"/>.</summary>
    public const string InvalidToken = "invalid_token";
    public const string WrongNetwork = "wrong_network";
    public const string NotEnrolled = "not_enrolled";
    public const string Disabled = "account_disabled";
    public const string Unavailable = "unavailable";
    /// <summary>The wallet is on Xumm's scam blocklist: the code of <see cref="SignInFailureReason.Blocked"/>, as at the Xumm sign-in.</summary>
    public const string Blocked = "blocked";

    /// <summary>Resolves a one-time token with the platform (server side: the API secret never leaves the bridge).</summary>
    public async Task<XAppSignInResult> SignInWithOneTimeTokenAsync(string oneTimeToken, string? requiredNetwork, ProvisioningMode provisioning, CancellationToken ct)
    {
        var resolved = await xumm.ResolveXAppOttAsync(oneTimeToken, ct);
        if (!resolved.IsSuccess)
        {
            logger.LogWarning("xApp one-time token not resolved: {Kind} {Status}", resolved.Error.Kind, resolved.Error.StatusCode);
            return resolved.Error.Kind is XummErrorKind.Upstream or XummErrorKind.Http && resolved.Error.StatusCode is >= 400 and < 500
                ? XAppSignInResult.Fail(InvalidToken, "The xApp token is unknown, expired or already used.")
                : XAppSignInResult.Fail(Unavailable, "Xumm cannot be reached right now.");
        }
        return await SignInAsync(resolved.Value.Jwt, resolved.Value, requiredNetwork, provisioning, ct);
    }

    /// <summary>Checks an xApp JWT and maps its wallet to an account.</summary>
    public Task<XAppSignInResult> SignInWithJwtAsync(string? jwt, string? requiredNetwork, ProvisioningMode provisioning, CancellationToken ct) =>
        SignInAsync(jwt, null, requiredNetwork, provisioning, ct);

    /// <summary>
    /// The checks of both ways in, before any account is touched. With the platform's context of a one-time token,
    /// it must name the JWT's wallet, and a wallet it reports as blocked is refused (the JWT alone says nothing
    /// about that).
    /// </summary>
    private async Task<XAppSignInResult> SignInAsync(string? jwt, XummXAppContext? context, string? requiredNetwork, ProvisioningMode provisioning, CancellationToken ct)
    {
        var validation = await validator.ValidateAsync(jwt);
        if (!validation.Succeeded)
            return XAppSignInResult.Fail(InvalidToken, validation.Failure switch
            {
                XAppJwtFailure.Expired => "The xApp token has expired.",
                XAppJwtFailure.WrongClient => "The xApp token was issued to another application.",
                XAppJwtFailure.InvalidSignature or XAppJwtFailure.AlgorithmNotAllowed => "The xApp token's signature is not valid.",
                XAppJwtFailure.NotYetValid => "The xApp token is not valid yet.",
                _ => "The xApp token is not valid.",
            });
        var identity = validation.Identity;
        if (context?.Account is { } account && !string.Equals(account, identity.Account, StringComparison.Ordinal))
            return XAppSignInResult.Fail(InvalidToken, "The xApp context and its token name different wallets.");
        if (context?.Blocked == true)
            return XAppSignInResult.Fail(Blocked, SignInFailureMessages.For(SignInFailureReason.Blocked).Message);
        var network = identity.Network?.ToUpperInvariant();
        if (requiredNetwork is not null && !string.Equals(network, requiredNetwork, StringComparison.OrdinalIgnoreCase))
            return XAppSignInResult.Fail(WrongNetwork, $"The wallet is on {network ?? "an unknown network"}; {requiredNetwork} is required.");

        var mapped = await accounts.SignInAsync(new WalletSignIn(identity.Account, network), provisioning, ct);
        if (mapped.Outcome != WalletSignInOutcome.Ok || mapped.Account is null)
            return mapped.Outcome == WalletSignInOutcome.NotEnrolled
                ? XAppSignInResult.Fail(NotEnrolled, "This wallet has no account here.")
                : XAppSignInResult.Fail(Disabled, "The account of this wallet is disabled.");

        if (identity.UserToken is { } token)
            await userTokens.RecordForAccountAsync(mapped.Account.Id, identity.Account, token, identity.IssuedAt, null, ct);
        return new XAppSignInResult(identity with { Network = network }, mapped.Account.Id, null, null);
    }
}
