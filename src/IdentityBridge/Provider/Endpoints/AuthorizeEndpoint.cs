using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// GET/POST /connect/authorize: validate → decide (login, consent, error) → issue the code. A POST without
/// the session cookie is first sent on as a GET (<see cref="CrossSitePost"/>).
/// </summary>
public static class AuthorizeEndpoint
{
    /// <summary>
    /// The login and consent pages resume a request from its URL, up to <see cref="LoginInteraction.MaxReturnUrlLength"/>:
    /// a longer one is refused to the client before the user is sent there, not left on an error page of theirs.
    /// </summary>
    private static readonly ProtocolError TooLong = ProtocolError.InvalidRequest("The authorization request is too long.");

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapMethods(ProviderUrls.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        AuthorizeRequestValidator validator,
        AuthorizeInteraction interaction,
        AuthorizeResponder responder,
        SessionService sessions,
        InteractionTickets tickets,
        GrantStore grants,
        CancellationToken ct)
    {
        var (parameters, formError) = HttpMethods.IsGet(context.Request.Method)
            ? (OAuthParameters.FromQuery(context.Request), null)
            : await OAuthParameters.ReadFormAsync(context.Request, "An authorization request sent with POST must be application/x-www-form-urlencoded.", ct);
        if (parameters is null)
            return AuthorizeResponder.ErrorPage(context, formError!);
        // Posted from another site, the request came without the session cookie: sent on as a GET, which carries it.
        if (CrossSitePost.SeeOtherAsGet(context, ProviderUrls.AuthorizePath, parameters) is { } resend) return resend;

        var validation = await validator.ValidateAsync(parameters, context, ct);
        if (validation.Request is not { } request)
        {
            if (validation.ErrorTarget is not { } target) return AuthorizeResponder.ErrorPage(context, validation.Error!);
            await validator.TryUseUpAsync(parameters, ct);
            return responder.Error(context, target, validation.Error!);
        }

        var session = await sessions.GetCurrentAsync(context, ct);
        var decision = await interaction.DecideAsync(request, session, ct);
        switch (decision.Kind)
        {
            case InteractionKind.Error:
                InteractionTickets.Complete(context, request.Ticket);
                await validator.TryUseUpAsync(parameters, ct);
                return responder.Error(context, request.Target, decision.Error!);
            case InteractionKind.Login:
                InteractionTickets.Complete(context, request.Ticket);
                // The request resumes with the parameters it stands for (those of a request object, not the object).
                var ticket = tickets.StartLogin(context, request.Parameters);
                var loginReturn = AuthorizeResponder.AuthorizeUrl(context, request.Parameters, ticket);
                return loginReturn.Length > LoginInteraction.MaxReturnUrlLength
                    ? await TooLongAsync()
                    : AuthorizeResponder.RedirectToLogin(context, request, loginReturn);
            case InteractionKind.Consent:
                var consentReturn = AuthorizeResponder.AuthorizeUrl(context, request.Parameters, request.Parameters[InteractionTickets.Parameter]);
                return consentReturn.Length > LoginInteraction.MaxReturnUrlLength
                    ? await TooLongAsync()
                    : AuthorizeResponder.RedirectToConsent(context, consentReturn);
        }

        // RFC 9126 §4: a pushed request is answered once; of two completions racing, the second finds it used.
        if (!await validator.TryUseUpAsync(parameters, ct))
        {
            InteractionTickets.Complete(context, request.Ticket);
            return AuthorizeResponder.ErrorPage(context, new ProtocolError(ProtocolErrors.InvalidRequestUri, "The request_uri was already used (invalid_request_uri)."));
        }

        var data = new AuthorizationCodeData(
            request.Target.RedirectUri, request.CodeChallenge, request.Nonce, request.Scopes,
            LoginFacts.FromSession(session!), request.AcrValues, request.Resource) { DPoPJkt = request.DPoPJkt, Claims = request.Claims?.Names is { IsEmpty: false } names ? names : null };
        var code = await grants.CreateCodeAsync(request.Client.ClientId, session!.AccountId, UrlSafe.NewId(16), data, ct);
        // The login this request started is used up: its ticket cannot count as a fresh login again.
        InteractionTickets.Complete(context, request.Ticket);
        return responder.Success(context, request.Target, code);

        async Task<IResult> TooLongAsync()
        {
            await validator.TryUseUpAsync(parameters, ct);
            return responder.Error(context, request.Target, TooLong);
        }
    }
}
