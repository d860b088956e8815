using System.Text.RegularExpressions;
using IdentityBridge.Federation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages.Login;

/// <summary>
/// <c>/login/error?reason=...&amp;ref=...</c>: why a sign-in failed, in words, with the id of the request that
/// failed (it is in the logs and the audit trail). Only known reasons are shown; nothing from the URL is echoed
/// except a well-formed request id.
/// </summary>
public sealed partial class ErrorModel : PageModel
{
    public SignInFailureMessage Message { get; private set; } = SignInFailureMessages.For(SignInFailureReason.InvalidResponse);
    public string? Reference { get; private set; }
    public string TryAgainUrl { get; private set; } = "/login";

    public IActionResult OnGet(string? reason, [FromQuery(Name = "ref")] string? reference, string? returnUrl)
    {
        Message = SignInFailure.TryParseCode(reason, out var parsed)
            ? SignInFailureMessages.For(parsed)
            : new SignInFailureMessage("Sign-in failed", "The sign-in did not complete.", StatusCodes.Status400BadRequest);
        Reference = reference is not null && RequestId().IsMatch(reference) ? reference : null;
        if (ReturnUrls.IsLocal(returnUrl))
            TryAgainUrl = "/login?returnUrl=" + Uri.EscapeDataString(returnUrl!);
        Response.StatusCode = Message.StatusCode;
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    [GeneratedRegex("^[A-Za-z0-9:._-]{1,64}$")]
    private static partial Regex RequestId();
}
