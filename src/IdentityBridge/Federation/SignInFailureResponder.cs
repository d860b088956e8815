using IdentityBridge.Audit;
using IdentityBridge.Provider.Interaction;

namespace IdentityBridge.Federation;

/// <summary>
/// Ends a failed sign-in: records <c>signin.failed</c> with the reason, then answers. A login that came from a
/// client (its return URL is an authorize request) ends as an OAuth error redirect to that client through
/// <see cref="AuthorizeErrorResponder"/>; any other login ends on the error page; a wallet link returns to the
/// account page with the reason.
/// </summary>
public sealed class SignInFailureResponder(AuditLog audit, AuthorizeErrorResponder authorizeErrors, ILogger<SignInFailureResponder> logger)
{
    public async Task RespondAsync(HttpContext context, SignInOperation? operation, SignInFailure failure, string? wallet = null, string? upstreamError = null)
    {
        logger.LogInformation("Sign-in with Xumm failed: {Reason}: {Description}", failure.Code, failure.Description);
        await audit.WriteAsync(AuditTypes.SignInFailed, wallet ?? "anonymous", clientId: operation?.ClientId, success: false, reason: failure.Code,
            details: new { method = XummSignIn.Method, operation = operation?.Kind.ToString().ToLowerInvariant(), wallet, upstream_error = upstreamError },
            ct: context.RequestAborted);

        context.Response.Headers.CacheControl = "no-store";
        if (operation?.Kind == SignInOperationKind.Link)
        {
            context.Response.Redirect($"{XummSignIn.AccountPath}?link={failure.Code}");
            return;
        }
        if (operation is not null && ReturnUrls.ParseAuthorize(operation.ReturnUrl, context.Request.PathBase) is not null)
        {
            var result = await authorizeErrors.FailAsync(context, operation.ReturnUrl, failure.OAuthError, failure.Description);
            await result.ExecuteAsync(context);
            return;
        }
        var again = operation?.ReturnUrl is { } returnUrl ? "&returnUrl=" + Uri.EscapeDataString(returnUrl) : "";
        context.Response.Redirect($"{XummSignIn.ErrorPath}?reason={failure.Code}&ref={Uri.EscapeDataString(context.TraceIdentifier)}{again}");
    }
}
