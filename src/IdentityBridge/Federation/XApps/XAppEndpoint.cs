using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Security;

namespace IdentityBridge.Federation.XApps;

/// <summary>
/// <c>GET /xapp?xAppToken={one-time token}[&amp;returnUrl=/connect/authorize?...]</c>: the bridge as the backend
/// of an xApp. The one-time token is resolved server side, the xApp JWT it yields is verified, and the wallet's
/// account gets a bridge session (method <c>xapp</c>); the browser then continues to the local return URL (an
/// authorize request finds the session), or to <c>/</c>. A browser already signed in to another account keeps that
/// session and gets a page offering to sign out first (no silent account switch). Any refusal ends on an error page.
/// </summary>
public static class XAppEndpoint
{
    public const string Path = "/xapp";
    private const int MaxTokenLength = 512;

    public static void Map(IEndpointRouteBuilder app) => app.MapGet(Path, HandleAsync).AllowAnonymous();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        XAppSignIn xapps,
        LoginContextReader logins,
        SessionService sessions,
        AuditLog audit,
        CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        var query = context.Request.Query;
        var oneTimeToken = query["xAppToken"].ToString();
        // Blank is missing, and "." or ".." is no token but a dot segment: the platform client refuses both (it throws).
        if (string.IsNullOrWhiteSpace(oneTimeToken) || oneTimeToken is "." or ".." || oneTimeToken.Length > MaxTokenLength
            || query["xAppToken"].Count != 1)
            return Page(context, StatusCodes.Status400BadRequest, "xApp sign-in failed", "The xApp was opened without a valid token.");

        var returnUrl = query["returnUrl"].ToString();
        var login = await logins.ReadAsync(context, string.IsNullOrEmpty(returnUrl) ? "/" : returnUrl, null, ct);
        if (login is null)
            return Page(context, StatusCodes.Status400BadRequest, "xApp sign-in failed", "The return address is not valid.");

        var result = await xapps.SignInWithOneTimeTokenAsync(oneTimeToken, login.RequiredNetwork, login.Provisioning, ct);
        if (!result.Succeeded)
        {
            // Nobody proved anything: the token may be anyone's guess.
            await audit.WriteAsync(AuditTypes.SignInFailed, AuditLog.AnonymousActor, clientId: login.Client?.ClientId, success: false, reason: result.Error,
                details: new { method = PayloadSignInMethods.XApp }, ct: ct);
            if (result.Error == XAppSignIn.Blocked)
            {
                var blocked = SignInFailureMessages.For(SignInFailureReason.Blocked);
                return Page(context, blocked.StatusCode, blocked.Title, blocked.Message);
            }
            var status = result.Error == XAppSignIn.Unavailable ? StatusCodes.Status503ServiceUnavailable
                : result.Error is XAppSignIn.NotEnrolled or XAppSignIn.Disabled ? StatusCodes.Status403Forbidden
                : StatusCodes.Status400BadRequest;
            return Page(context, status, "xApp sign-in failed", result.Description ?? "The xApp could not be signed in.");
        }

        var identity = result.Identity!;
        // A link to /xapp with someone else's one-time token must not quietly swap the account this browser is
        // signed in to (login CSRF): everything done afterwards would be done in that other account. The session
        // stays as it is; the user can sign out and open the xApp again.
        var current = await sessions.GetCurrentAsync(context, ct);
        if (current is not null && !string.Equals(current.AccountId, result.AccountId, StringComparison.Ordinal))
        {
            await audit.WriteAsync(AuditTypes.SignInFailed, identity.Account, result.AccountId, login.Client?.ClientId, success: false,
                reason: "signed_in_as_another_account", details: new { method = PayloadSignInMethods.XApp, wallet = identity.Account, session = current.Id }, ct: ct);
            return SignedInAsAnotherAccount(context);
        }

        await sessions.SignInAsync(context, new SessionSignIn(result.AccountId!, identity.Account, identity.Network, PayloadSignInMethods.XApp), ct);
        await audit.WriteAsync(AuditTypes.SignInSucceeded, result.AccountId!, result.AccountId, login.Client?.ClientId,
            details: new { method = PayloadSignInMethods.XApp, wallet = identity.Account, network = identity.Network }, ct: ct);
        return Results.Redirect(login.ReturnUrl);
    }

    private static IResult SignedInAsAnotherAccount(HttpContext context)
    {
        var signOut = WebUtility.HtmlEncode(context.Request.PathBase + ProviderUrls.EndSessionPath);
        var home = WebUtility.HtmlEncode(context.Request.PathBase + "/");
        var requestId = WebUtility.HtmlEncode(context.TraceIdentifier);
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Signed in to another account · IdentityBridge</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="card narrow"><h1>Signed in to another account</h1>
            <p id="xapp-other-account">This browser is signed in to a different account than the wallet this xApp was opened with, so nothing was changed.
            To continue with the xApp's wallet, sign out first, then open the xApp again.</p>
            <div class="actions"><a class="button" id="xapp-sign-out" href="{signOut}">Sign out</a>
            <a class="button secondary" href="{home}">Keep the current account</a></div>
            <p class="muted">Request id: <code>{requestId}</code></p></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: StatusCodes.Status409Conflict);
    }

    private static IResult Page(HttpContext context, int status, string title, string message) =>
        Results.Content(ErrorPage.Render(title, message, context.TraceIdentifier), "text/html; charset=utf-8", statusCode: status);
}
