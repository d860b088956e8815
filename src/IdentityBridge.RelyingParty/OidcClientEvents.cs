using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Events of <see cref="OidcClientHandler"/>: the OAuth events plus the OpenID Connect steps. Not sealed so
/// that an application can register a subclass through <c>EventsType</c>.
/// </summary>
public class OidcClientEvents : OAuthEvents
{
    /// <summary>Creates events whose remote-failure default answers with the error code instead of throwing.</summary>
    public OidcClientEvents()
    {
        OnRemoteFailure = OidcFailureResponses.WriteRemoteFailureAsync;
    }

    /// <summary>
    /// Invoked before the authorization request URL is built: add or change parameters (e.g. <c>prompt</c>,
    /// <c>login_hint</c>, provider-specific ones). <see cref="OAuthEvents.OnRedirectToAuthorizationEndpoint"/>
    /// still sees the finished URL.
    /// </summary>
    public Func<OidcAuthorizationRequestContext, Task> OnPreparingAuthorizationRequest { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked once the ID token is validated; may replace the principal or fail the sign-in.</summary>
    public Func<OidcTokenValidatedContext, Task> OnTokenValidated { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked with the userinfo document (its <c>sub</c> already matched); may fail the sign-in.</summary>
    public Func<OidcUserInformationReceivedContext, Task> OnUserInformationReceived { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when a challenge cannot be sent because the provider's metadata is unavailable.</summary>
    public Func<OidcChallengeFailedContext, Task> OnChallengeFailed { get; set; } = OidcFailureResponses.WriteChallengeFailureAsync;

    /// <summary>Invoked before redirecting to the provider's end-session endpoint.</summary>
    public Func<RedirectContext<OidcClientOptions>, Task> OnRedirectToEndSessionEndpoint { get; set; } = context =>
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    };

    /// <summary>Runs <see cref="OnPreparingAuthorizationRequest"/>.</summary>
    public virtual Task PreparingAuthorizationRequest(OidcAuthorizationRequestContext context) => OnPreparingAuthorizationRequest(context);

    /// <summary>Runs <see cref="OnTokenValidated"/>.</summary>
    public virtual Task TokenValidated(OidcTokenValidatedContext context) => OnTokenValidated(context);

    /// <summary>Runs <see cref="OnUserInformationReceived"/>.</summary>
    public virtual Task UserInformationReceived(OidcUserInformationReceivedContext context) => OnUserInformationReceived(context);

    /// <summary>Runs <see cref="OnChallengeFailed"/>.</summary>
    public virtual Task ChallengeFailed(OidcChallengeFailedContext context) => OnChallengeFailed(context);

    /// <summary>Runs <see cref="OnRedirectToEndSessionEndpoint"/>.</summary>
    public virtual Task RedirectToEndSessionEndpoint(RedirectContext<OidcClientOptions> context) => OnRedirectToEndSessionEndpoint(context);
}
