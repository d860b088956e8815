using EnterpriseApp.Authentication;
using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace EnterpriseApp.Pages;

/// <summary>GET /login (challenge at the bridge), POST /refresh (refresh token grant), POST /logout (RP-initiated logout).</summary>
public static class AccountEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (Delegate)LoginAsync);
        app.MapPost("/refresh", RefreshAsync).DisableAntiforgery();
        app.MapPost("/logout", LogoutAsync).DisableAntiforgery();
    }

    private static async Task<IResult> LoginAsync(HttpContext context)
    {
        var current = await context.AuthenticateAsync(AuthenticationSetup.CookieScheme);
        if (current.Succeeded) return Results.Redirect("/");
        return Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [AuthenticationSetup.BridgeScheme]);
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, IAntiforgery antiforgery, OidcTokenClient tokens, ILoggerFactory loggers)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
        var current = await context.AuthenticateAsync(AuthenticationSetup.CookieScheme);
        if (!current.Succeeded || current.Principal is null || current.Properties is null) return Results.Redirect("/");

        var refreshToken = current.Properties.GetTokenValue("refresh_token");
        var subject = current.Principal.FindFirst(BridgeClaims.Subject)?.Value;
        var refreshed = await tokens.RefreshAsync(AuthenticationSetup.BridgeScheme, refreshToken ?? "", subject, context.RequestAborted);
        if (!refreshed.Succeeded)
        {
            loggers.CreateLogger(typeof(AccountEndpoints)).LogWarning("Refresh failed: {Error}", refreshed.Failure.Error);
            if (refreshed.Failure.Error == "invalid_grant")
            {
                await context.SignOutAsync(AuthenticationSetup.CookieScheme);
                return Results.Redirect("/?error=session_expired");
            }
            return Results.Redirect("/?error=refresh_failed");
        }

        var stored = current.Properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        stored["access_token"] = refreshed.AccessToken;
        if (refreshed.RefreshToken is not null) stored["refresh_token"] = refreshed.RefreshToken;
        if (refreshed.IdToken is not null) stored["id_token"] = refreshed.IdToken;
        if (refreshed.ExpiresAt is { } expiresAt) stored["expires_at"] = expiresAt.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        current.Properties.StoreTokens(stored.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
        await context.SignInAsync(AuthenticationSetup.CookieScheme, current.Principal, current.Properties);
        return Results.Redirect("/?notice=refreshed");
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
        var current = await context.AuthenticateAsync(AuthenticationSetup.CookieScheme);
        await context.SignOutAsync(AuthenticationSetup.CookieScheme);
        if (!current.Succeeded) return Results.Redirect("/");

        // The bridge ends its session at once when the hint names it; without a hint it asks the user first.
        var properties = new AuthenticationProperties { RedirectUri = "/" };
        if (current.Properties?.GetTokenValue("id_token") is { } idToken)
            properties.SetParameter(OidcClientDefaults.IdTokenHintParameter, idToken);
        return Results.SignOut(properties, [AuthenticationSetup.BridgeScheme]);
    }
}
