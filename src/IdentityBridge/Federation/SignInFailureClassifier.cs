using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Federation;

/// <summary>Turns whatever failed the upstream sign-in into a <see cref="SignInFailure"/>.</summary>
public static class SignInFailureClassifier
{
    public static SignInFailure Classify(Exception? failure) => failure switch
    {
        SignInRefusedException refused => refused.Failure,
        OidcClientFailureException oidc => FromOidcError(oidc.Error),
        // A bare Fail(reason) from an event: the sign-in was refused for its identity.
        AuthenticationFailureException => SignInFailure.Of(SignInFailureReason.InvalidIdentity),
        _ => SignInFailure.Of(SignInFailureReason.InvalidResponse),
    };

    /// <summary>
    /// The handler's and the provider's error codes. The provider's own description is not passed on: it is
    /// upstream text, logged by the handler, not something to show or forward.
    /// </summary>
    public static SignInFailure FromOidcError(string error) => SignInFailure.Of(error switch
    {
        OidcClientErrors.AccessDenied => SignInFailureReason.Cancelled,
        OidcClientErrors.InvalidState => SignInFailureReason.InvalidState,
        OidcClientErrors.InvalidIdToken => SignInFailureReason.InvalidIdentity,
        OidcClientErrors.TemporarilyUnavailable or "server_error" => SignInFailureReason.Unavailable,
        _ => SignInFailureReason.InvalidResponse,
    });
}
