namespace IdentityBridge.Security;

/// <summary>
/// Baseline response headers on every endpoint. The CSP allows no inline script; pages that must be
/// framed or post a form elsewhere (form_post response mode) adjust it through <see cref="Items"/>.
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, IHostEnvironment environment)
{
    /// <summary>HttpContext.Items key: a form-action source the current response may post to.</summary>
    public const string FormActionItem = "csp.form-action";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            var formAction = context.Items.TryGetValue(FormActionItem, out var fa) && fa is string target ? $"'self' {target}" : "'self'";
            h.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                      $"form-action {formAction}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
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
/// The sources a response adds to <c>form-action</c>. Chromium and Safari apply a page's <c>form-action</c> to every
/// redirect that follows a submission of its forms, not only to the form's <c>action</c>: a page whose form posts to
/// the bridge and ends in a redirect to an application (consent, logout confirmation, the sign-in pages' way back)
/// must name that application's redirect target, or the browser stops at the last hop.
/// </summary>
public static class FormActions
{
    /// <summary>Lets the forms of the current response end at <paramref name="uri"/> (a redirect URI the bridge checked).</summary>
    public static void Allow(HttpContext context, string uri)
    {
        if (SourceOf(uri) is not { } source) return;
        var current = context.Items.TryGetValue(SecurityHeadersMiddleware.FormActionItem, out var value) ? value as string : null;
        if (current is null) context.Items[SecurityHeadersMiddleware.FormActionItem] = source;
        else if (!current.Split(' ').Contains(source, StringComparer.Ordinal))
            context.Items[SecurityHeadersMiddleware.FormActionItem] = current + " " + source;
    }

    /// <summary>The CSP source for a redirect URI: its origin, or its scheme for a private-use scheme (RFC 8252 §7.1).</summary>
    public static string? SourceOf(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        if (parsed.Scheme is "https" or "http") return parsed.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        return parsed.Scheme + ":";
    }
}
