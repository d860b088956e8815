using IdentityBridge.Federation.Payload;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// <c>/signin/push?returnUrl=...[&amp;login_hint=r...]</c> starts a push sign-in when the bridge holds a live
/// user token for the wallet (a QR code otherwise); <c>/signin/push/{id}</c> asks the user to check the phone,
/// with a QR code fallback.
/// </summary>
public sealed class PushModel(SignInPageServices services) : SignInPageModel(services)
{
    public Task<IActionResult> OnGetAsync(string? id, string? returnUrl, [FromQuery(Name = "login_hint")] string? loginHint) =>
        id is null ? StartAsync(returnUrl, loginHint, forceQr: false) : ShowAsync(id, SignInKinds.Push);
}
