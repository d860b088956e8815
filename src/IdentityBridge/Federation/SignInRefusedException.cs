using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Federation;

/// <summary>Raised through the handler's <c>Fail</c> when the bridge itself refuses what Xumm returned.</summary>
public sealed class SignInRefusedException(SignInFailure failure, string? wallet = null) : AuthenticationFailureException(failure.Description)
{
    public SignInFailure Failure { get; } = failure;

    /// <summary>The r-address that signed, when it was a valid one.</summary>
    public string? Wallet { get; } = wallet;
}
