using System.Net;
using System.Text;

namespace IdentityBridge.Provider.Sessions;

/// <summary>The end-session pages: the logout confirmation (a form, antiforgery-protected) and the signed-out notice.</summary>
internal static class LogoutPages
{
    public static IResult Confirm(string action, IEnumerable<KeyValuePair<string, string>> fields, string? clientName, string requestId)
    {
        var body = new StringBuilder();
        body.Append("<h1>Sign out?</h1>");
        body.Append(clientName is null
            ? "<p>Do you want to sign out of IdentityBridge?</p>"
            : $"<p><strong>{Encode(clientName)}</strong> asks to sign you out of IdentityBridge.</p>");
        body.Append("<form method=\"post\" action=\"").Append(Encode(action)).Append("\">");
        foreach (var (key, value) in fields)
            body.Append("<input type=\"hidden\" name=\"").Append(Encode(key)).Append("\" value=\"").Append(Encode(value)).Append("\">");
        body.Append("<div class=\"actions\"><button type=\"submit\" name=\"confirm\" value=\"yes\">Sign out</button></div></form>");
        return Page("Sign out", body.ToString(), requestId);
    }

    public static IResult SignedOut(string requestId) =>
        Page("Signed out", "<h1>You are signed out</h1><p>You can close this window.</p>", requestId);

    private static IResult Page(string title, string body, string requestId)
    {
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} · IdentityBridge</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><main class="card narrow">{body}</main><footer class="footer muted">Request id: <code>{Encode(requestId)}</code></footer></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
