using IdentityBridge.Federation.Payload;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// <c>/signin/qr?returnUrl=...[&amp;login_hint=r...][&amp;qr=1]</c> starts a sign-in (a push for a returning
/// user unless <c>qr=1</c>) and redirects to <c>/signin/qr/{id}</c>: the QR code and deep link of the payload,
/// updated without reload by <c>signin-status.js</c>.
/// </summary>
public sealed class QrModel(SignInPageServices services) : SignInPageModel(services)
{
    public Task<IActionResult> OnGetAsync(string? id, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint, [FromQuery] string? qr) =>
        id is null ? StartAsync(returnUrl, loginHint, forceQr: qr == "1") : ShowAsync(id, SignInKinds.Qr);
}
