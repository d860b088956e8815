using IdentityBridge.Federation.Payload;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// <c>/signin/push?returnUrl=...[&amp;login_hint=r...]</c> starts a push sign-in when this browser remembers the
/// wallet of an earlier sign-in and the bridge holds a live user token for it (a QR code otherwise, and always
/// for a hint naming another wallet); <c>/signin/push/{id}</c> asks the user to check the phone, with a QR code fallback.
/// </summary>
public sealed class PushModel(SignInPageServices services) : SignInPageModel(services)
{
    public Task<IActionResult> OnGetAsync(string? id, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint) =>
        id is null ? StartAsync(returnUrl, loginHint, forceQr: false) : ShowAsync(id, SignInKinds.Push);
}
