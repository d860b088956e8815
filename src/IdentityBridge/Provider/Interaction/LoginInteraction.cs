namespace IdentityBridge.Provider.Interaction;

/// <summary>
/// The hand-off between the authorize endpoint and the login pages.
/// Authorize sends the browser to <c>/login?returnUrl=...</c> (<see cref="LoginPath"/>), where returnUrl
/// is the local authorize URL to resume (every original parameter, login_hint and acr_values included;
/// when login_hint is an r-address it is also passed to /login as <c>login_hint</c>). The login pages sign
/// the user in (AccountService, then SessionService) and redirect to returnUrl, or end the login with an
/// OAuth error via <see cref="AuthorizeErrorResponder"/>.
/// </summary>
public static class LoginInteraction
{
    public const string LoginPath = "/login";
    public const string ReturnUrlParameter = "returnUrl";

    /// <summary>The longest returnUrl the login and consent pages resume (in characters, as decoded from their query).</summary>
    public const int MaxReturnUrlLength = 8192;
}
