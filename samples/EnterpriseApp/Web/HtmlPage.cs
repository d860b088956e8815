using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;

namespace EnterpriseApp.Web;

/// <summary>Plain HTML pages: one layout, every value encoded, no script and no inline style (CSP-clean).</summary>
public static class HtmlPage
{
    public static string Encode(string? value) => WebUtility.HtmlEncode(value ?? "");

    public static IResult Render(string title, string body, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Encode(title)).Append(" · Enterprise app</title>")
            .Append("<link rel=\"stylesheet\" href=\"/site.css\"></head><body>")
            .Append("<header><a href=\"/\" class=\"brand\">Enterprise app</a><span>signs in with IdentityBridge</span></header>")
            .Append("<main>").Append(body).Append("</main></body></html>")
            .ToString();
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A POST form with the antiforgery field and one submit button.</summary>
    public static string PostButton(HttpContext context, IAntiforgery antiforgery, string action, string id, string label)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"<form method=\"post\" action=\"{Encode(action)}\" id=\"{Encode(id)}\">" +
               $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">" +
               $"<button type=\"submit\">{Encode(label)}</button></form>";
    }
}
