using IdentityBridge.Security;
using Microsoft.AspNetCore.Diagnostics;

namespace IdentityBridge.Operations;

/// <summary>
/// Bodies for bare status codes (404, 405, 415...): JSON for APIs, a small page for browsers. A response that
/// carries an authentication challenge (<c>WWW-Authenticate</c>) is left as it is: the challenge is the answer,
/// and to a request without credentials RFC 6750 §3.1 gives no error code or other error information.
/// </summary>
internal static class StatusPages
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (http.Response.Headers.WWWAuthenticate.Count > 0) return Task.CompletedTask;
        var (error, text) = status switch
        {
            404 => ("not_found", "There is nothing at this address."),
            405 => ("invalid_request", "This method is not allowed here."),
            415 => ("invalid_request", "This content type is not accepted here."),
            429 => ("slow_down", "Too many requests; retry later."),
            _ => ("invalid_request", "The request could not be served."),
        };
        if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            return http.Response.WriteAsync(ErrorPage.Render(status == 404 ? "Not found" : "Request refused", text, http.TraceIdentifier));
        }
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new { error, error_description = text, request_id = http.TraceIdentifier });
    }
}
