using System.Net;
using System.Text;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Security;
using Microsoft.AspNetCore.Http.Extensions;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// Writes authorization responses: to the client's redirect URI in the query or as an auto-submitted
/// form (form_post), always with <c>iss</c> (RFC 9207) and the unchanged <c>state</c>; or an error page when
/// the redirect URI is not trusted. Also builds the login and consent round-trip URLs.
/// </summary>
public sealed class AuthorizeResponder(ProviderUrls urls)
{
    public IResult Success(HttpContext context, RedirectTarget target, string code) =>
        Respond(context, target, [new("code", code)]);

    public IResult Error(HttpContext context, RedirectTarget target, ProtocolError error)
    {
        var values = new List<KeyValuePair<string, string>> { new("error", error.Error) };
        if (error.Description is not null) values.Add(new("error_description", error.Description));
        return Respond(context, target, values);
    }

    /// <summary>An error page for requests whose client or redirect URI cannot be trusted (never a redirect).</summary>
    public static IResult ErrorPage(HttpContext context, ProtocolError error) =>
        Page(Security.ErrorPage.Render("This sign-in request cannot be completed", error.Description ?? error.Error, context.TraceIdentifier), StatusCodes.Status400BadRequest);

    /// <summary>The local authorize URL of a request (all its parameters), with <paramref name="ticket"/> as the interaction ticket.</summary>
    public static string AuthorizeUrl(HttpContext context, OAuthParameters parameters, string? ticket)
    {
        var query = new QueryBuilder();
        foreach (var (key, value) in parameters.Values)
            if (key != InteractionTickets.Parameter) query.Add(key, value);
        if (ticket is not null) query.Add(InteractionTickets.Parameter, ticket);
        return context.Request.PathBase + ProviderUrls.AuthorizePath + query.ToQueryString();
    }

    /// <summary>/login?returnUrl=... (plus login_hint when the hint is an r-address).</summary>
    public static IResult RedirectToLogin(HttpContext context, AuthorizeRequest request, string returnUrl)
    {
        var query = new QueryBuilder { { LoginInteraction.ReturnUrlParameter, returnUrl } };
        if (Xumm.XrplAddress.IsValid(request.LoginHint)) query.Add("login_hint", request.LoginHint!);
        return Results.Redirect(context.Request.PathBase + LoginInteraction.LoginPath + query.ToQueryString());
    }

    public static IResult RedirectToConsent(HttpContext context, string returnUrl) =>
        Results.Redirect(context.Request.PathBase + ProviderUrls.ConsentPath + new QueryBuilder { { LoginInteraction.ReturnUrlParameter, returnUrl } }.ToQueryString());

    private IResult Respond(HttpContext context, RedirectTarget target, List<KeyValuePair<string, string>> values)
    {
        if (target.State is not null) values.Add(new("state", target.State));
        values.Add(new("iss", urls.Issuer));
        context.Response.Headers.CacheControl = "no-store";
        if (target.ResponseMode == ResponseModes.FormPost)
        {
            FormActions.EndAtAnotherSite(context);
            return Page(FormPostPage(target.RedirectUri, values), StatusCodes.Status200OK);
        }
        var separator = target.RedirectUri.Contains('?') ? '&' : '?';
        var query = string.Join('&', values.Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));
        return Results.Redirect(target.RedirectUri + separator + query);
    }

    private static string FormPostPage(string action, IEnumerable<KeyValuePair<string, string>> values)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<title>Returning to the application · IdentityBridge</title><link rel=\"stylesheet\" href=\"/css/site.css\">");
        html.Append("<script src=\"/js/form-post.js\" defer></script></head><body><main class=\"card narrow\">");
        html.Append("<form method=\"post\" id=\"form-post\" action=\"").Append(WebUtility.HtmlEncode(action)).Append("\">");
        foreach (var (key, value) in values)
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(key)).Append("\" value=\"").Append(WebUtility.HtmlEncode(value)).Append("\">");
        html.Append("<p>Returning to the application…</p>");
        html.Append("<noscript><p>JavaScript is turned off. Press Continue to return to the application.</p><button type=\"submit\">Continue</button></noscript>");
        html.Append("</form></main></body></html>");
        return html.ToString();
    }

    private static IResult Page(string html, int status) => Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
}
