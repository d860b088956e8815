using Microsoft.AspNetCore.Diagnostics;

namespace IdentityBridge.Security;

/// <summary>
/// The last line: anything unhandled is logged in full and answered with a generic message and the
/// request id, as JSON for API callers and as a small page for browsers. Never a stack trace.
/// </summary>
internal sealed class GlobalExceptionHandler(ILogger<GlobalExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is BadHttpRequestException bad)
        {
            context.Response.StatusCode = bad.StatusCode;
            await WriteAsync(context, "invalid_request", "The request could not be read.", ct);
            return true;
        }
        logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await WriteAsync(context, "server_error", "Something went wrong on our side.", ct);
        return true;
    }

    internal static Task WriteAsync(HttpContext context, string error, string description, CancellationToken ct)
    {
        var requestId = context.TraceIdentifier;
        var wantsHtml = context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        if (wantsHtml)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(ErrorPage.Render("Something went wrong", description, requestId), ct);
        }
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new { error, error_description = description, request_id = requestId }, ct);
    }
}

/// <summary>A minimal self-contained error page (used where Razor is not involved).</summary>
public static class ErrorPage
{
    public static string Render(string title, string message, string requestId)
    {
        var t = System.Net.WebUtility.HtmlEncode(title);
        var m = System.Net.WebUtility.HtmlEncode(message);
        var r = System.Net.WebUtility.HtmlEncode(requestId);
        return $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{t} · IdentityBridge</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="card narrow"><h1>{t}</h1><p>{m}</p><p class="muted">Request id: <code>{r}</code></p></main></body></html>
            """;
    }
}
