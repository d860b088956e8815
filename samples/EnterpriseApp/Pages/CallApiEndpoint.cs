using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnterpriseApp.Authentication;
using EnterpriseApp.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace EnterpriseApp.Pages;

/// <summary>
/// POST /call-api: calls this app's own /api/me over HTTP with the signed-in user's access token, the way
/// another service would, and shows the answer.
/// </summary>
public static class CallApiEndpoint
{
    public const string HttpClientName = "api";

    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/call-api", HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, IAntiforgery antiforgery, IHttpClientFactory clients, SelfAddress self)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
        var current = await context.AuthenticateAsync(AuthenticationSetup.CookieScheme);
        if (!current.Succeeded || current.Properties?.GetTokenValue("access_token") is not { } accessToken) return Results.Redirect("/");

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(self.BaseUri, "api/me"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        string status, content;
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, context.RequestAborted);
            status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            content = await response.Content.ReadAsStringAsync(context.RequestAborted);
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
                content = JsonSerializer.Serialize(JsonDocument.Parse(content).RootElement, Indented);
            else if (response.Headers.WwwAuthenticate.Count > 0)
                content = response.Headers.WwwAuthenticate.ToString();
        }
        catch (HttpRequestException ex)
        {
            (status, content) = ("unreachable", ex.Message);
        }

        var body = new StringBuilder()
            .Append("<h1>API call</h1><p>GET /api/me with the access token answered <strong id=\"api-status\">")
            .Append(HtmlPage.Encode(status)).Append("</strong>.</p><pre id=\"api-result\">").Append(HtmlPage.Encode(content)).Append("</pre>")
            .Append("<p class=\"actions\"><a class=\"button\" href=\"/\">Back</a></p>");
        context.Response.Headers.CacheControl = "no-store";
        return HtmlPage.Render("API call", body.ToString());
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
