using IdentityBridge.Federation.Payload;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// <c>/signin/qr?returnUrl=...[&amp;login_hint=r...][&amp;qr=1]</c> offers a sign-in (a push for a returning user
/// unless <c>qr=1</c>): a button whose POST, with the same parameters, starts it and redirects to
/// <c>/signin/qr/{id}</c>: the QR code and deep link of the payload, updated without reload by <c>signin-status.js</c>.
/// </summary>
public sealed class QrModel(SignInPageServices services) : SignInPageModel(services)
{
    public Task<IActionResult> OnGetAsync(string? id, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint, [FromQuery] string? qr) =>
        id is null ? OfferAsync(SignInPaths.Qr, returnUrl, loginHint, forceQr: qr == "1") : ShowAsync(id, SignInKinds.Qr);

    public Task<IActionResult> OnPostAsync(string? id, [FromForm] string? returnUrl, [FromForm(Name = "login_hint")] string? loginHint, [FromForm] string? qr) =>
        StartAsync(id, SignInKinds.Qr, returnUrl, loginHint, forceQr: qr == "1");
}
