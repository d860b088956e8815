namespace EnterpriseApp.Web;

/// <summary>
/// Baseline headers on every response. The CSP allows no script at all; forms post to this app, whose logout
/// then redirects to the bridge (form-action covers redirects after a form submission).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, string authorityOrigin)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data: https:; " +
                                      $"form-action 'self' {authorityOrigin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
