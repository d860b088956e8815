using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// GET/POST /connect/authorize: validate → decide (login, consent, error) → issue the code.
/// </summary>
public static class AuthorizeEndpoint
{
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
        TimeProvider time,
        CancellationToken ct)
    {
        var parameters = HttpMethods.IsGet(context.Request.Method)
            ? OAuthParameters.From(context.Request.Query)
            : await OAuthParameters.ReadFormAsync(context.Request, ct);
        if (parameters is null)
            return AuthorizeResponder.ErrorPage(context, ProtocolError.InvalidRequest("An authorization request sent with POST must be application/x-www-form-urlencoded."));

        var validation = await validator.ValidateAsync(parameters, ct);
        if (validation.Request is not { } request)
            return validation.ErrorTarget is { } target
                ? responder.Error(context, target, validation.Error!)
                : AuthorizeResponder.ErrorPage(context, validation.Error!);

        var session = await sessions.GetCurrentAsync(context, ct);
        var decision = await interaction.DecideAsync(request, session, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        switch (decision.Kind)
        {
            case InteractionKind.Error:
                return responder.Error(context, request.Target, decision.Error!);
            case InteractionKind.Login:
                var ticket = tickets.Protect(new InteractionTicket(now, null, null, null, null, now));
                return AuthorizeResponder.RedirectToLogin(context, request, AuthorizeResponder.AuthorizeUrl(context, parameters, ticket));
            case InteractionKind.Consent:
                return AuthorizeResponder.RedirectToConsent(context, AuthorizeResponder.AuthorizeUrl(context, parameters, parameters[InteractionTickets.Parameter]));
        }

        var data = new AuthorizationCodeData(
            request.Target.RedirectUri, request.CodeChallenge, request.Nonce, request.Scopes,
            LoginFacts.FromSession(session!), request.AcrValues, request.Resource);
        var code = await grants.CreateCodeAsync(request.Client.ClientId, session!.AccountId, UrlSafe.NewId(16), data, ct);
        return responder.Success(context, request.Target, code);
    }
}
