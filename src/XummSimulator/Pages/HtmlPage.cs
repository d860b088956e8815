using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Pages;

/// <summary>
/// The page frame: no script at all, styles from a file, images inline as data URIs, and a strict
/// Content-Security-Policy to prove it.
/// </summary>
internal static class HtmlPage
{
    private const string Policy = "default-src 'none'; img-src 'self' data:; style-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static IResult Render(HttpContext context, int status, string title, string body)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Encode(title)).Append(" - Xumm simulator</title>")
            .Append("<link rel=\"stylesheet\" href=\"").Append(Encode(SimulatorUrls.LocalPath(context, "/assets/simulator.css"))).Append("\">")
            .Append("</head><body><main>")
            .Append("<p class=\"banner\">Xumm simulator (local test stand-in)</p>")
            .Append("<h1>").Append(Encode(title)).Append("</h1>")
            .Append(body)
            .Append("</main></body></html>")
            .ToString();

        context.Response.Headers.ContentSecurityPolicy = Policy;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static IResult Message(HttpContext context, int status, string title, string message) =>
        Render(context, status, title, $"<p class=\"message\">{Encode(message)}</p>");
}
