using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace XummSimulator.Oidc;

/// <summary>An OAuth2 error answer: JSON <c>{ error, error_description }</c> with its HTTP status.</summary>
internal static class OidcError
{
    public static IResult Json(int status, string error, string description, HttpContext context, string? authenticate = null)
    {
        NoStore(context);
        if (authenticate is not null)
        {
            context.Response.Headers.WWWAuthenticate = authenticate;
        }

        return Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: status);
    }

    public static IResult BadRequest(string error, string description, HttpContext context) =>
        Json(StatusCodes.Status400BadRequest, error, description, context);

    public static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }
}
