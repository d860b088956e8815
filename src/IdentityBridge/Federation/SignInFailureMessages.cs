namespace IdentityBridge.Federation;

/// <summary>What the user reads for each failure, and the HTTP status of the error page.</summary>
public sealed record SignInFailureMessage(string Title, string Message, int StatusCode);

public static class SignInFailureMessages
{
    public static SignInFailureMessage For(SignInFailureReason reason) => reason switch
    {
        SignInFailureReason.Cancelled => new("Sign-in cancelled",
            "The sign-in was cancelled in Xumm. Nothing was shared.", StatusCodes.Status403Forbidden),
        SignInFailureReason.Blocked => new("Wallet refused",
            "This wallet is on a blocklist, so it cannot be used to sign in.", StatusCodes.Status403Forbidden),
        SignInFailureReason.NotEnrolled => new("Wallet not enrolled",
            "This wallet is not enrolled. Ask an administrator to enrol it, or sign in with an enrolled wallet.", StatusCodes.Status403Forbidden),
        SignInFailureReason.AccountDisabled => new("Account disabled",
            "The account of this wallet is disabled. Contact an administrator.", StatusCodes.Status403Forbidden),
        SignInFailureReason.WrongNetwork => new("Wrong network",
            "The wallet signed on another network than this application requires. Switch the network in Xumm and sign in again.", StatusCodes.Status403Forbidden),
        SignInFailureReason.WrongWallet => new("Wrong wallet",
            "The sign-in was made with another wallet than the one the login asked for. Sign in with that wallet, or start the login again without naming one.", StatusCodes.Status403Forbidden),
        SignInFailureReason.InvalidIdentity => new("Sign-in refused",
            "Xumm's answer did not prove a valid wallet, so the sign-in was refused.", StatusCodes.Status403Forbidden),
        SignInFailureReason.InvalidState => new("Sign-in expired",
            "This sign-in could not be completed: it expired, was already used, or was started in another browser. Please start again.", StatusCodes.Status400BadRequest),
        SignInFailureReason.Unavailable => new("Xumm unavailable",
            "Xumm could not be reached or did not answer in time. Please try again in a moment.", StatusCodes.Status503ServiceUnavailable),
        _ => new("Sign-in failed",
            "Xumm answered with something the bridge could not use. Please try again in a moment.", StatusCodes.Status503ServiceUnavailable),
    };
}
