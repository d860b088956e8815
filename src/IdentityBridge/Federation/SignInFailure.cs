namespace IdentityBridge.Federation;

/// <summary>Why an upstream sign-in did not end in a session.</summary>
public enum SignInFailureReason
{
    /// <summary>The user rejected the sign-in in Xumm.</summary>
    Cancelled,
    /// <summary>Xumm reports the wallet as blocked (scam blocklist).</summary>
    Blocked,
    /// <summary>AllowList provisioning and the wallet belongs to no account.</summary>
    NotEnrolled,
    /// <summary>The wallet's account is disabled.</summary>
    AccountDisabled,
    /// <summary>The wallet signed on another network than the one the client requires.</summary>
    WrongNetwork,
    /// <summary>The login named a wallet (an r-address login hint), and another wallet signed.</summary>
    WrongWallet,
    /// <summary>The token did not name a valid r-address, or failed validation.</summary>
    InvalidIdentity,
    /// <summary>The callback could not be matched to a sign-in started in this browser (expired, replayed, forged).</summary>
    InvalidState,
    /// <summary>Xumm could not be reached, answered with an error, or too slowly.</summary>
    Unavailable,
    /// <summary>Xumm answered with something unusable.</summary>
    InvalidResponse,
}

/// <summary>
/// A failed sign-in: the reason, the OAuth error a client receives for it (never <c>server_error</c>) and a
/// description for the client and the audit trail. Descriptions never carry tokens, secrets or upstream text.
/// </summary>
public sealed record SignInFailure(SignInFailureReason Reason, string Description)
{
    /// <summary>The short code used in URLs and the audit trail (e.g. <c>not_enrolled</c>).</summary>
    public string Code => CodeOf(Reason);

    /// <summary>The OAuth error sent to the client that started the login.</summary>
    public string OAuthError => Reason is SignInFailureReason.Unavailable or SignInFailureReason.InvalidResponse
        ? "temporarily_unavailable"
        : "access_denied";

    public static SignInFailure Of(SignInFailureReason reason) => new(reason, SignInFailureMessages.For(reason).Message);

    public static string CodeOf(SignInFailureReason reason) => reason switch
    {
        SignInFailureReason.Cancelled => "cancelled",
        SignInFailureReason.Blocked => "blocked",
        SignInFailureReason.NotEnrolled => "not_enrolled",
        SignInFailureReason.AccountDisabled => "account_disabled",
        SignInFailureReason.WrongNetwork => "wrong_network",
        SignInFailureReason.WrongWallet => "wrong_wallet",
        SignInFailureReason.InvalidIdentity => "invalid_identity",
        SignInFailureReason.InvalidState => "invalid_state",
        SignInFailureReason.Unavailable => "upstream_unavailable",
        _ => "invalid_response",
    };

    public static bool TryParseCode(string? code, out SignInFailureReason reason)
    {
        foreach (var candidate in Enum.GetValues<SignInFailureReason>())
        {
            if (string.Equals(CodeOf(candidate), code, StringComparison.Ordinal))
            {
                reason = candidate;
                return true;
            }
        }
        reason = default;
        return false;
    }
}
