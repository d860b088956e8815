using IdentityBridge.Security;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// The JSON status a waiting page polls (<c>GET /signin/status/{id}</c>) and the completion the page moves to
/// once signed (<c>GET /signin/complete/{id}</c>, also the target of the page's no-script button). Both answer
/// only the browser the request is bound to.
/// </summary>
public static class SignInEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(SignInPaths.Status + "/{id}", StatusAsync);
        app.MapGet(SignInPaths.Complete + "/{id}", CompleteAsync);
    }

    private static async Task<IResult> StatusAsync(string id, HttpContext context, SignInCookies cookies, SignInRequestStore requests,
        PayloadResolver resolver, PayloadFollower follower, TimeProvider time, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        var request = cookies.IsBound(context, id) ? await requests.FindAsync(id, ct) : null;
        if (request is null)
            return Results.Json(new { error = "not_found", error_description = "No sign-in of this browser has this id." }, statusCode: StatusCodes.Status404NotFound);

        // Polling on the page's behalf only when no websocket follows the payload on this node.
        if (request.PayloadUuid is { } uuid && !follower.IsWatchingSocket(uuid))
            request = await resolver.RefreshIfDueAsync(request, ct);

        var remaining = (long)Math.Max(0, Math.Floor((request.ExpiresAt - time.GetUtcNow()).TotalSeconds));
        return Results.Json(new
        {
            status = request.Status,
            kind = request.Kind,
            expires_in = remaining,
            next = request.Status is SignInStatuses.Signed or SignInStatuses.Completed ? SignInPaths.Complete + "/" + request.Id : null,
            page = SignInPaths.Page(request),
        });
    }

    private static async Task<IResult> CompleteAsync(string id, HttpContext context, SignInCookies cookies, SignInRequestStore requests,
        BrowserSignIn signIn, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        var request = cookies.IsBound(context, id) ? await requests.FindAsync(id, ct) : null;
        if (request is null)
            return Results.Content(ErrorPage.Render("Sign-in not found",
                "This sign-in was started in another browser, or it has ended. Start again from the application.", context.TraceIdentifier),
                "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        var result = await signIn.CompleteAsync(context, request, ct);
        return Results.Redirect(result.RedirectTo ?? SignInPaths.Page(request));
    }
}
