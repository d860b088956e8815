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
