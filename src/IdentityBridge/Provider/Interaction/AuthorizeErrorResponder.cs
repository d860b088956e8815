using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Interaction;

/// <summary>
/// Ends a login that came from a client with an OAuth error redirect to that client (error, error_description,
/// state, iss), after re-validating client_id and redirect_uri from the return URL (or the pushed request it names). When the return URL is
/// not a valid local authorize request, renders an error page instead (never an open redirect).
/// </summary>
public sealed class AuthorizeErrorResponder(AuthorizeRequestValidator validator, AuthorizeResponder responder)
{
    public async Task<IResult> FailAsync(HttpContext context, string? returnUrl, string error, string description)
    {
        var protocolError = new ProtocolError(error, description);
        var parameters = ParseReturnUrl(context, returnUrl);
        if (parameters is null) return AuthorizeResponder.ErrorPage(context, protocolError);
        var (target, _) = await validator.ResolveTargetAsync(parameters, context.RequestAborted);
        if (target is null) return AuthorizeResponder.ErrorPage(context, protocolError);
        // The request is answered: a pushed one is used up (RFC 9126 §4).
        await validator.TryUseUpAsync(parameters, context.RequestAborted);
        return responder.Error(context, target, protocolError);
    }

    /// <summary>
    /// The redirect URI a failure of the login for <paramref name="returnUrl"/> would be sent to: the trusted redirect
    /// URI of the local authorize request it resumes; null for any other return URL.
    /// </summary>
    public async Task<string?> RedirectUriOfAsync(HttpContext context, string? returnUrl)
    {
        var parameters = ParseReturnUrl(context, returnUrl);
        if (parameters is null) return null;
        var (target, _) = await validator.ResolveTargetAsync(parameters, context.RequestAborted);
        return target?.RedirectUri;
    }

    /// <summary>The parameters of a local <c>/connect/authorize</c> URL, or null for anything else.</summary>
    public static OAuthParameters? ParseReturnUrl(HttpContext context, string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > LoginInteraction.MaxReturnUrlLength) return null;
        if (returnUrl[0] != '/' || returnUrl.StartsWith("//", StringComparison.Ordinal) || returnUrl.StartsWith("/\\", StringComparison.Ordinal)) return null;
        if (returnUrl.Contains('#') || returnUrl.Any(char.IsControl)) return null;
        var question = returnUrl.IndexOf('?');
        var path = question < 0 ? returnUrl : returnUrl[..question];
        if (!string.Equals(path, context.Request.PathBase + ProviderUrls.AuthorizePath, StringComparison.Ordinal)) return null;
        return OAuthParameters.FromQuery(question < 0 ? "" : returnUrl[question..]);
    }
}
