using IdentityBridge.Federation.Payload;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// <c>/signin/push?returnUrl=...[&amp;login_hint=r...]</c> offers a sign-in whose POST starts a push when this browser
/// remembers the wallet of an earlier sign-in and the bridge holds a live user token for it (a QR code otherwise, and
/// always for a hint naming another wallet); <c>/signin/push/{id}</c> asks the user to check the phone, with a QR code fallback.
/// </summary>
public sealed class PushModel(SignInPageServices services) : SignInPageModel(services)
{
    public Task<IActionResult> OnGetAsync(string? id, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint) =>
        id is null ? OfferAsync(SignInPaths.Push, returnUrl, loginHint, forceQr: false) : ShowAsync(id, SignInKinds.Push);

    public Task<IActionResult> OnPostAsync(string? id, [FromForm] string? returnUrl, [FromForm(Name = "login_hint")] string? loginHint) =>
        StartAsync(id, SignInKinds.Push, returnUrl, loginHint, forceQr: false);
}
