namespace EnterpriseApp.Authentication;

/// <summary>
/// POST /backchannel-logout (Back-Channel Logout 1.0 §2.5-2.8): the bridge posts a logout token when the
/// user's bridge session ends; the matching local sessions end at once. 200 when accepted, 400 with an
/// OAuth-style error otherwise; never cached.
/// </summary>
public static class BackChannelLogoutEndpoint
{
    public const string Path = "/backchannel-logout";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, LogoutTokenValidator validator, LocalSessionStore sessions, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(BackChannelLogoutEndpoint));
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
            return Refuse("the request must be application/x-www-form-urlencoded");
        var form = await context.Request.ReadFormAsync(ct);
        if (form["logout_token"].Count != 1) return Refuse("exactly one logout_token is required");

        var (request, error) = await validator.ValidateAsync(form["logout_token"].ToString(), ct);
        if (request is null)
        {
            logger.LogWarning("Back-channel logout refused: {Reason}", error);
            return Refuse(error!);
        }
        var ended = request.SessionId is not null ? sessions.EndBySessionId(request.SessionId) : sessions.EndBySubject(request.Subject!);
        logger.LogInformation("Back-channel logout: ended {Count} local session(s) of bridge session {Sid}", ended, request.SessionId ?? "(none)");
        return Results.Ok();
    }

    private static IResult Refuse(string description) =>
        Results.Json(new { error = "invalid_request", error_description = description }, statusCode: StatusCodes.Status400BadRequest);
}
