using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Default answers for failures nobody handled: a status code and the bare OAuth error code as plain text.
/// Descriptions stay out of the response (they may echo provider text); applications render their own pages.
/// </summary>
internal static class OidcFailureResponses
{
    public static async Task WriteRemoteFailureAsync(RemoteFailureContext context)
    {
        // A plain AuthenticationFailureException comes from an event's Fail(reason): the application refused the
        // sign-in. Anything else is unexpected.
        var error = context.Failure switch
        {
            OidcClientFailureException failure => failure.Error,
            AuthenticationFailureException => OidcClientErrors.AccessDenied,
            _ => "server_error",
        };
        context.HandleResponse();
        await WriteAsync(context.Response, error).ConfigureAwait(false);
    }

    public static async Task WriteChallengeFailureAsync(OidcChallengeFailedContext context)
    {
        context.HandleResponse();
        await WriteAsync(context.Response, context.Failure.Error).ConfigureAwait(false);
    }

    internal static int StatusCodeFor(string error) => error switch
    {
        OidcClientErrors.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
        OidcClientErrors.AccessDenied => StatusCodes.Status403Forbidden,
        "server_error" => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status400BadRequest,
    };

    private static async Task WriteAsync(HttpResponse response, string error)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = StatusCodeFor(error);
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        await response.WriteAsync("sign-in failed: " + error, response.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
