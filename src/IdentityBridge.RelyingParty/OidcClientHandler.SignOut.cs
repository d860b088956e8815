using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace IdentityBridge.RelyingParty;

/// <summary>RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).</summary>
public sealed partial class OidcClientHandler
{
    private const string SignOutMarkerItem = "oidc.signout";

    /// <summary>
    /// Redirects to the provider's end-session endpoint with <c>id_token_hint</c>, <c>client_id</c>,
    /// <c>post_logout_redirect_uri</c> and <c>state</c>. The hint comes from <c>Parameters["id_token_hint"]</c>
    /// or from the tokens saved in the sign-in scheme's ticket. Without an end-session endpoint the user is sent
    /// straight to the local redirect target. Sign out of the local cookie separately.
    /// </summary>
    public async Task SignOutAsync(AuthenticationProperties? properties)
    {
        var target = ResolveTarget(Options.ForwardSignOut);
        if (target is not null)
        {
            await Context.SignOutAsync(target, properties).ConfigureAwait(false);
            return;
        }

        properties ??= new AuthenticationProperties();
        var landing = string.IsNullOrEmpty(properties.RedirectUri) ? Options.SignedOutRedirectUri : properties.RedirectUri;

        var endpoint = Options.EndSessionEndpoint;
        if (string.IsNullOrEmpty(endpoint))
        {
            var (configuration, _) = await GetConfigurationAsync().ConfigureAwait(false);
            endpoint = configuration?.EndSessionEndpoint;
        }

        if (string.IsNullOrEmpty(endpoint))
        {
            Logger.LogInformation("No end_session_endpoint for {Scheme}; signing out locally only.", Scheme.Name);
            Response.Redirect(landing);
            return;
        }

        var idTokenHint = properties.GetParameter<string>(OidcClientDefaults.IdTokenHintParameter);
        if (string.IsNullOrEmpty(idTokenHint) && !string.IsNullOrEmpty(Options.SignInScheme))
        {
            var signedIn = await Context.AuthenticateAsync(Options.SignInScheme).ConfigureAwait(false);
            idTokenHint = signedIn.Properties?.GetTokenValue("id_token");
        }

        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["client_id"] = Options.ClientId,
        };
        if (!string.IsNullOrEmpty(idTokenHint))
        {
            parameters["id_token_hint"] = idTokenHint;
        }

        if (Options.SignedOutCallbackPath.HasValue)
        {
            parameters["post_logout_redirect_uri"] = CallbackUri(Options.SignedOutCallbackPath);
            var state = new AuthenticationProperties { RedirectUri = landing };
            state.Items[SignOutMarkerItem] = "1";
            parameters["state"] = Options.StateDataFormat.Protect(state);
        }

        var url = QueryHelpers.AddQueryString(endpoint, parameters);
        var redirect = new RedirectContext<OidcClientOptions>(Context, Scheme, Options, properties, url);
        await Events.RedirectToEndSessionEndpoint(redirect).ConfigureAwait(false);
    }

    private void HandleSignedOutCallback()
    {
        var state = Request.Query["state"].ToString();
        var properties = string.IsNullOrEmpty(state) ? null : Options.StateDataFormat.Unprotect(state);
        var landing = properties is not null && properties.Items.ContainsKey(SignOutMarkerItem) && IsLocalUrl(properties.RedirectUri)
            ? properties.RedirectUri!
            : Options.SignedOutRedirectUri;
        Response.Redirect(landing);
    }

    private static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
