namespace IdentityBridge.Security;

/// <summary>
/// Baseline response headers on every endpoint. The CSP allows no inline script, and keeps forms on the bridge
/// (<c>form-action 'self'</c>) except on a response whose forms end at another site (<see cref="FormActions"/>).
/// Frames come from the bridge only, except on a response that names the origins it frames (<see cref="FrameSources"/>).
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IHostEnvironment environment)
{
    /// <summary>HttpContext.Items key: present when the current response's forms end at another site.</summary>
    public const string FormsEndElsewhereItem = "csp.forms-end-elsewhere";
    /// <summary>HttpContext.Items key: the origins the current response frames, as CSP sources.</summary>
    public const string FrameSourcesItem = "csp.frame-sources";

    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; ";
    private const string Framing = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            var frames = context.Items[FrameSourcesItem] is string sources ? "frame-src " + sources + "; " : "";
            h.ContentSecurityPolicy = context.Items.ContainsKey(FormsEndElsewhereItem) ? Policy + frames + Framing : Policy + frames + "form-action 'self'; " + Framing;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (!environment.IsDevelopment() && context.Request.IsHttps)
                h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next(context);
    }
}

/// <summary>
/// Marks a response whose forms end, through the bridge's redirects, at another site: an application's redirect or
/// post-logout URI (the form_post response, consent, the sign-in pages' way back, the logout confirmation), or Xumm's
/// sign-in (linking a wallet). Such a response carries no <c>form-action</c>. Chromium and Safari apply a page's
/// <c>form-action</c> to every redirect of the navigation its form starts, the other site's own redirects included,
/// and an application's callback may redirect on (an auth host to the application's main origin, an https callback
/// to a native app's custom scheme): the bridge cannot know where, so no list of origins it could name would do.
/// Every other page (the admin console, error pages, sign-ins that return to the bridge) keeps <c>form-action 'self'</c>,
/// which stops a form injected into the page from posting what the user enters to another site; the marked pages
/// still run no inline script (<c>script-src 'self'</c>) and write only encoded values into their markup.
/// </summary>
public static class FormActions
{
    /// <summary>Lets the forms of the current response end wherever the site they lead to sends the user.</summary>
    public static void EndAtAnotherSite(HttpContext context) => context.Items[SecurityHeadersMiddleware.FormsEndElsewhereItem] = true;
}

/// <summary>
/// Lets the current response frame pages of the given origins (<c>frame-src</c> naming exactly them, and not the
/// bridge): the front-channel logout page. An origin is a scheme, a host and a port, nothing that could end or add a
/// directive.
/// </summary>
public static class FrameSources
{
    public static void Allow(HttpContext context, IEnumerable<string> origins) =>
        context.Items[SecurityHeadersMiddleware.FrameSourcesItem] = string.Join(' ', origins.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
