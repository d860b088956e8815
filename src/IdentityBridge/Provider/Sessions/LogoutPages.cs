using System.Globalization;
using System.Net;
using System.Text;
using IdentityBridge.Security;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// The end-session pages: the logout confirmation (a form, antiforgery-protected), the signed-out notice, and the
/// front-channel logout page.
/// </summary>
internal static class LogoutPages
{
    /// <summary>
    /// How long the front-channel logout page waits for its frames before it moves on to the post-logout redirect
    /// URI: a client whose page does not answer cannot hold the user longer.
    /// </summary>
    public static readonly TimeSpan FrontChannelWait = TimeSpan.FromSeconds(3);

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

    /// <summary>
    /// Front-Channel Logout 1.0 §4: the signed-out page with a hidden frame per client (<see cref="FrontChannelLogout"/>),
    /// which may frame exactly those clients' origins. With a post-logout redirect URI (<paramref name="next"/>, its
    /// state added), the page's script (a file of the bridge) moves on there once every frame has loaded, or after
    /// <see cref="FrontChannelWait"/> whatever the frames do. Without script, a refresh moves on that long after the
    /// page has loaded (which waits for the frames, until the browser gives up on one), and a link leads there too.
    /// </summary>
    public static IResult FrontChannel(HttpContext context, IReadOnlyList<FrontChannelFrame> frames, string? next, string requestId)
    {
        FrameSources.Allow(context, frames.Select(f => f.Origin));
        context.Response.Headers.CacheControl = "no-store";
        var head = new StringBuilder("<script src=\"/js/frontchannel-logout.js\"></script>");
        if (next is not null)
            head.Append("<meta http-equiv=\"refresh\" content=\"")
                .Append(((int)FrontChannelWait.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append(";url=").Append(Encode(next)).Append("\">");
        var body = new StringBuilder("<h1>You are signed out</h1>");
        body.Append(next is null
            ? "<p>You can close this window.</p>"
            : "<p>Signing you out of your applications. <a id=\"continue\" href=\"" + Encode(next) + "\" data-wait-ms=\""
              + ((int)FrontChannelWait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "\">Continue</a></p>");
        foreach (var frame in frames)
            body.Append("<iframe hidden title=\"").Append(Encode("Sign-out of " + frame.ClientName)).Append("\" src=\"").Append(Encode(frame.Src)).Append("\"></iframe>");
        return Page("Signed out", body.ToString(), requestId, head.ToString());
    }

    private static IResult Page(string title, string body, string requestId, string head = "")
    {
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encode(title)} · IdentityBridge</title><link rel="stylesheet" href="/css/site.css">{head}</head>
            <body><header class="topbar"><a class="brand" href="/">IdentityBridge</a></header><main class="card narrow">{body}</main><footer class="footer muted">Request id: <code>{Encode(requestId)}</code></footer></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
