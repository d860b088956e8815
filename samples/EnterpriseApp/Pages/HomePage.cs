using System.Security.Claims;
using System.Text;
using EnterpriseApp.Authentication;
using EnterpriseApp.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;

namespace EnterpriseApp.Pages;

/// <summary>GET /: the login link, or who is signed in (claims from the bridge) with the API, refresh and logout buttons.</summary>
public static class HomePage
{
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["refreshed"] = "Tokens refreshed.",
    };

    private static readonly Dictionary<string, string> Errors = new(StringComparer.Ordinal)
    {
        ["refresh_failed"] = "The tokens could not be refreshed; try again later.",
        ["session_expired"] = "Your session at the bridge has ended; please log in again.",
    };

    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/", RenderAsync);

    private static async Task<IResult> RenderAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var body = new StringBuilder();
        var notice = context.Request.Query["notice"].ToString();
        var error = context.Request.Query["error"].ToString();
        if (Notices.TryGetValue(notice, out var n)) body.Append("<p class=\"notice\" id=\"notice\">").Append(HtmlPage.Encode(n)).Append("</p>");
        if (Errors.TryGetValue(error, out var e)) body.Append("<p class=\"error\" id=\"error\">").Append(HtmlPage.Encode(e)).Append("</p>");

        var result = await context.AuthenticateAsync(AuthenticationSetup.CookieScheme);
        if (!result.Succeeded || result.Principal is null)
        {
            body.Append("<h1>Welcome</h1><p id=\"signed-out\">You are not signed in.</p>")
                .Append("<p class=\"actions\"><a class=\"button\" id=\"login\" href=\"/login\">Log in with your wallet</a></p>");
            return HtmlPage.Render("Home", body.ToString());
        }

        var user = result.Principal;
        body.Append("<h1>Signed in</h1><h2>Claims</h2><dl id=\"claims\">");
        Row(body, "sub", user.FindFirst(BridgeClaims.Subject)?.Value);
        Row(body, "name", user.FindFirst(BridgeClaims.Name)?.Value);
        Row(body, "email", user.FindFirst(BridgeClaims.Email)?.Value);
        Row(body, "xrpl_address", user.FindFirst(BridgeClaims.Wallet)?.Value);
        Row(body, "xrpl_addresses", Join(user, BridgeClaims.Wallets));
        Row(body, "xrpl_network", user.FindFirst(BridgeClaims.Network)?.Value);
        Row(body, "kyc_approved", user.FindFirst(BridgeClaims.KycApproved)?.Value);
        Row(body, "roles", Join(user, BridgeClaims.Role));
        Row(body, "sid", user.FindFirst(BridgeClaims.SessionId)?.Value);
        body.Append("</dl><h2>Tokens</h2><dl id=\"tokens\">");
        Row(body, "access_token_jti", AccessTokenId(result.Properties?.GetTokenValue("access_token")));
        Row(body, "expires_at", result.Properties?.GetTokenValue("expires_at"));
        Row(body, "refresh_token", result.Properties?.GetTokenValue("refresh_token") is null ? "none" : "present");
        body.Append("</dl><div class=\"actions\">")
            .Append(HtmlPage.PostButton(context, antiforgery, "/call-api", "call-api", "Call the API"))
            .Append(HtmlPage.PostButton(context, antiforgery, "/refresh", "refresh", "Refresh tokens"))
            .Append(HtmlPage.PostButton(context, antiforgery, "/logout", "logout", "Log out"))
            .Append("</div>");
        context.Response.Headers.CacheControl = "no-store";
        return HtmlPage.Render("Signed in", body.ToString());
    }

    private static void Row(StringBuilder body, string name, string? value) =>
        body.Append("<dt>").Append(HtmlPage.Encode(name)).Append("</dt><dd id=\"claim-").Append(HtmlPage.Encode(name)).Append("\">")
            .Append(HtmlPage.Encode(string.IsNullOrEmpty(value) ? "(none)" : value)).Append("</dd>");

    private static string Join(ClaimsPrincipal user, string type) => string.Join(" ", user.FindAll(type).Select(c => c.Value));

    /// <summary>The access token's jti (not the token): shows that a refresh replaced it.</summary>
    private static string? AccessTokenId(string? accessToken)
    {
        if (string.IsNullOrEmpty(accessToken)) return null;
        try
        {
            return new JsonWebToken(accessToken).Id;
        }
        catch (ArgumentException)
        {
            return "(opaque)";
        }
    }
}
