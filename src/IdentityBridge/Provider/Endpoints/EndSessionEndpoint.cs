using IdentityBridge.Clients;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Security;
using Microsoft.AspNetCore.Antiforgery;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// GET/POST /connect/endsession (RP-Initiated Logout 1.0). With a valid id_token_hint (our signature and
/// issuer; expiry ignored) for the current session (its sid; the user, for a hint without sid), the session
/// ends at once; otherwise the user confirms on a page first (no forced logout by a crafted link). A hint that
/// does not validate is an error: no logout, no redirect.
/// post_logout_redirect_uri is followed only when it is registered for the client, with <c>state</c> passed
/// back; otherwise the signed-out page is shown. When clients of the ended session registered a front-channel
/// logout URI, the page the browser gets frames them first (<see cref="FrontChannelLogout"/>) and then moves on to
/// that redirect, or is the signed-out page. A POST without the session cookie is first sent on as a GET
/// (<see cref="CrossSitePost"/>).
/// </summary>
public static class EndSessionEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapMethods(ProviderUrls.EndSessionPath, [HttpMethods.Get, HttpMethods.Post], HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        OwnTokenReader reader,
        ClientStore clients,
        SessionService sessions,
        SubjectResolver subjects,
        IAntiforgery antiforgery,
        CancellationToken ct)
    {
        var (parameters, formError) = HttpMethods.IsGet(context.Request.Method)
            ? (OAuthParameters.FromQuery(context.Request), null)
            : await OAuthParameters.ReadFormAsync(context.Request, "The logout request is malformed.", ct);
        if (parameters is null)
            return Page(context, formError!);
        // Posted from another site, the request came without the session cookie: sent on as a GET, which carries
        // it. Not the confirmation: that is posted from the bridge's own page, with the cookie if there is one.
        if (!parameters.Has("confirm") && CrossSitePost.SeeOtherAsGet(context, ProviderUrls.EndSessionPath, parameters) is { } resend) return resend;
        if (parameters.UnreadableError is { } unreadable)
            return Page(context, unreadable);
        if (parameters.Duplicate is not null)
            return Page(context, ProtocolError.InvalidRequest("The logout request is malformed."));

        var confirmed = false;
        if (parameters["confirm"] == "yes")
        {
            if (!HttpMethods.IsPost(context.Request.Method) || !await antiforgery.IsRequestValidAsync(context))
                return Page(context, ProtocolError.InvalidRequest("The logout confirmation expired; please try again."));
            confirmed = true;
        }

        var hint = await reader.ReadAsync(parameters["id_token_hint"], "JWT");
        // RP-Initiated Logout §2: the hint must validate as an ID token of this issuer; §4: when it does not,
        // nothing that relies on it is done and there is no redirect to the RP, whatever client_id names.
        if (hint is null && parameters.Has("id_token_hint"))
            return Page(context, ProtocolError.InvalidRequest("The id_token_hint is not a valid ID token of this provider."));
        var hintClientId = hint?.Audiences.FirstOrDefault();
        var clientId = parameters["client_id"];
        if (clientId is not null && hint is not null && !hint.Audiences.Contains(clientId))
            return Page(context, ProtocolError.InvalidRequest("client_id does not match the id_token_hint."));
        var client = await clients.FindEnabledAsync(clientId ?? hintClientId, ct);

        var redirect = parameters["post_logout_redirect_uri"];
        if (redirect is not null && (client is null || !RedirectUriRules.Matches(client.PostLogoutRedirectUris, redirect))) redirect = null;

        IReadOnlyList<FrontChannelFrame> frames = [];
        var session = await sessions.GetCurrentAsync(context, ct);
        if (session is not null)
        {
            // The hint must be of this session: with a sid, that sid (an ID token of the same user from an earlier
            // session, or from another browser, does not end this one unasked); without one, the same user.
            var hintMatches = hint is not null && client is not null &&
                              (hint.TryGetClaim("sid", out var sid)
                                  ? sid.Value == await subjects.SessionIdForAsync(client, session.Id, ct)
                                  : hint.Subject == await subjects.SubjectForAsync(client, session.AccountId, ct));
            if (!hintMatches && !confirmed)
            {
                var tokens = antiforgery.GetAndStoreTokens(context);
                var fields = parameters.Values.Where(p => p.Key is not ("confirm" or "id_token_hint") && !p.Key.StartsWith("__", StringComparison.Ordinal))
                    .Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList();
                if (hint is not null && client is not null && clientId is null) fields.Add(new("client_id", client.ClientId));
                fields.Add(new(tokens.FormFieldName, tokens.RequestToken!));
                context.Response.Headers.CacheControl = "no-store";
                // The confirmation ends in the redirect to the registered post_logout_redirect_uri.
                if (redirect is not null) FormActions.EndAtAnotherSite(context);
                return LogoutPages.Confirm(context.Request.PathBase + ProviderUrls.EndSessionPath, fields, client?.ClientName, context.TraceIdentifier);
            }
            frames = await sessions.LogoutAsync(context, session, ct);
        }

        var state = parameters["state"];
        var next = redirect is null || state is null ? redirect : redirect + (redirect.Contains('?') ? '&' : '?') + "state=" + Uri.EscapeDataString(state);
        if (frames.Count > 0) return LogoutPages.FrontChannel(context, frames, next, context.TraceIdentifier);
        return next is null ? LogoutPages.SignedOut(context.TraceIdentifier) : Results.Redirect(next);
    }

    private static IResult Page(HttpContext context, ProtocolError error) =>
        Results.Content(Security.ErrorPage.Render("Sign-out failed", error.Description ?? error.Error, context.TraceIdentifier),
            "text/html; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status400BadRequest);
}
