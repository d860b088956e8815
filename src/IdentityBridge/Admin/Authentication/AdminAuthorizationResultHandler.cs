using IdentityBridge.Provider.Sessions;
using IdentityBridge.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace IdentityBridge.Admin.Authentication;

/// <summary>
/// How refusals look under /admin: the API answers 401/403 with Bearer challenges; the console sends a
/// visitor without a live session to the login and shows a 403 page to a signed-in non-admin.
/// Everything outside /admin keeps the default behaviour.
/// </summary>
public sealed class AdminAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/admin/api", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/admin/openapi.json", StringComparison.OrdinalIgnoreCase);

    public static bool IsConsole(PathString path) =>
        path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) && !IsApi(path);

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded || !(IsApi(context.Request.Path) || IsConsole(context.Request.Path)))
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        var denial = context.Items[AdminAuth.DenialItem] as AdminDenial?;
        if (IsApi(context.Request.Path))
        {
            if (result.Challenged || denial is null or AdminDenial.SessionEnded)
                await context.ChallengeAsync(AdminAuth.BearerScheme);
            else
                await context.ForbidAsync(AdminAuth.BearerScheme);
            return;
        }
        if (result.Challenged || denial == AdminDenial.SessionEnded)
        {
            await context.ChallengeAsync(BridgeSession.Scheme);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(ErrorPage.Render("Access denied",
            "This account is not an administrator of IdentityBridge. Ask an administrator for the bridge-admin role, then sign in again.",
            context.TraceIdentifier));
    }
}
