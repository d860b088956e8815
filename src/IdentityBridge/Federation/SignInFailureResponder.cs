using IdentityBridge.Audit;
using IdentityBridge.Provider.Interaction;

namespace IdentityBridge.Federation;

/// <summary>
/// Ends a failed sign-in: records <c>signin.failed</c> with the reason, then answers. A login that came from a
/// client (its return URL is an authorize request) ends as an OAuth error redirect to that client through
/// <see cref="AuthorizeErrorResponder"/>; any other login ends on the error page; a wallet link returns to the
/// account page with the reason. A failure with neither an operation nor a wallet is a callback whose state this
/// bridge never issued (anyone can send those, many a second): it is audited by sample.
/// </summary>
public sealed class SignInFailureResponder(
    AuditLog audit,
    AnonymousEventSampler anonymous,
    AuthorizeErrorResponder authorizeErrors,
    ClientSignInPolicies clients,
    ILogger<SignInFailureResponder> logger)
{
    public async Task RespondAsync(HttpContext context, SignInOperation? operation, SignInFailure failure, string? wallet = null, string? upstreamError = null)
    {
        logger.LogInformation("Sign-in with Xumm failed: {Reason}: {Description}", failure.Code, failure.Description);
        long unaudited = 0;
        if (operation is not null || wallet is not null || anonymous.ShouldAudit(AuditTypes.SignInFailed, out unaudited))
            await audit.WriteAsync(AuditTypes.SignInFailed, wallet ?? AuditLog.AnonymousActor, clientId: await RegisteredClientAsync(operation, context.RequestAborted),
                success: false, reason: failure.Code,
                details: new
                {
                    method = XummSignIn.Method, operation = operation?.Kind.ToString().ToLowerInvariant(), wallet, upstream_error = upstreamError,
                    unaudited_before = unaudited > 0 ? unaudited : (long?)null,
                },
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

    /// <summary>
    /// The operation's client id when it names a registered client (it comes from the return URL, which anyone can
    /// write); null otherwise, and null when the lookup itself fails (this also answers storage failures).
    /// </summary>
    private async Task<string?> RegisteredClientAsync(SignInOperation? operation, CancellationToken ct)
    {
        if (operation?.ClientId is not { } clientId) return null;
        try
        {
            return await clients.RegisteredIdAsync(clientId, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not check the client of a failed sign-in");
            return null;
        }
    }
}
