namespace IdentityBridge.Provider.Interaction;

/// <summary>
/// The hand-off between the authorize endpoint and the login pages.
/// Authorize sends the browser to <c>/login?returnUrl=...</c> (<see cref="LoginPath"/>), where returnUrl
/// is the local authorize URL to resume. The login pages sign the user in (SessionService) and redirect
/// to returnUrl, or end the login with an OAuth error via <see cref="AuthorizeErrorResponder"/>.
/// </summary>
public static class LoginInteraction
{
    public const string LoginPath = "/login";
    public const string ReturnUrlParameter = "returnUrl";
}

/// <summary>
/// Ends a login that came from a client with an OAuth error redirect to that client (error, error_description,
/// state, iss), after re-validating client_id and redirect_uri from the return URL. When the return URL is
/// not a valid local authorize request, renders an error page instead (never an open redirect).
/// </summary>
public sealed class AuthorizeErrorResponder
{
    public Task<IResult> FailAsync(HttpContext context, string? returnUrl, string error, string description)
    {
        _ = returnUrl;
        _ = error;
        return Task.FromResult(Results.Content(Security.ErrorPage.Render("Sign-in failed", description, context.TraceIdentifier), "text/html; charset=utf-8", statusCode: 400));
    }
}
