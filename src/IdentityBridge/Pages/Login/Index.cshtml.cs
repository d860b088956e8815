using IdentityBridge.Federation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages.Login;

/// <summary>
/// <c>/login?returnUrl=...&amp;login_hint=...</c>: starts the upstream sign-in with Xumm at once. The return URL
/// must be a path on this host; the authorize endpoint passes the authorize request to resume.
/// </summary>
public sealed class IndexModel(SignInChallenges challenges) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint)
    {
        returnUrl = string.IsNullOrEmpty(returnUrl) ? XummSignIn.DefaultReturnUrl : returnUrl;
        if (!ReturnUrls.IsLocal(returnUrl))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        var properties = await challenges.ForLoginAsync(HttpContext, returnUrl, loginHint, HttpContext.RequestAborted);
        Response.Headers.CacheControl = "no-store";
        return Challenge(properties, XummSignIn.Scheme);
    }
}
