using IdentityBridge.Accounts;
using IdentityBridge.Federation;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Security;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages.Account;

/// <summary>
/// <c>/account</c>: the signed-in account and its wallets, and "link another wallet" (a POST that signs in
/// upstream once more, marked as a link: the wallet that signs is added to this account).
/// </summary>
public sealed class IndexModel(SessionService sessions, AccountService accounts) : PageModel
{
    public IdentityBridge.Storage.Entities.Account? Profile { get; private set; }
    public string? CurrentWallet { get; private set; }
    public string? Notice { get; private set; }
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? link)
    {
        var session = await sessions.GetCurrentAsync(HttpContext, HttpContext.RequestAborted);
        if (session is null) return RedirectToLogin();
        Profile = await accounts.FindAsync(session.AccountId, HttpContext.RequestAborted);
        if (Profile is null) return RedirectToLogin();
        CurrentWallet = session.Wallet;
        (Notice, Problem) = Describe(link);
        // "Link another wallet" posts here and is answered with a redirect to Xumm's sign-in.
        FormActions.EndAtAnotherSite(HttpContext);
        // Not cacheable: the page carries an antiforgery token, whose generator marks the response no-store.
        return Page();
    }

    public async Task<IActionResult> OnPostLinkAsync()
    {
        var session = await sessions.GetCurrentAsync(HttpContext, HttpContext.RequestAborted);
        if (session is null) return RedirectToLogin();
        return Challenge(SignInChallenges.ForLink(session.AccountId), XummSignIn.Scheme);
    }

    public IEnumerable<Wallet> Wallets => Profile?.Wallets.OrderBy(w => w.LinkedAt) ?? Enumerable.Empty<Wallet>();

    private RedirectResult RedirectToLogin() => Redirect("/login?returnUrl=" + Uri.EscapeDataString(XummSignIn.AccountPath));

    private static (string? Notice, string? Problem) Describe(string? link) => link switch
    {
        null or "" => (null, null),
        "linked" => ("The wallet is now linked to your account.", null),
        "already_linked" => ("That wallet was already linked to your account.", null),
        "linked_elsewhere" => (null, "That wallet is already linked to another account, so it was not linked."),
        "session_ended" => (null, "Your session ended before the wallet was linked. Please sign in and try again."),
        _ when SignInFailure.TryParseCode(link, out var reason) => (null, "The wallet was not linked. " + SignInFailureMessages.For(reason).Message),
        _ => (null, null),
    };
}
