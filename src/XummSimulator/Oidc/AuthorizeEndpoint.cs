using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;
using XummSimulator.Model;
using XummSimulator.Pages;

namespace XummSimulator.Oidc;

/// <summary>
/// <c>GET /auth</c>: checks the client and redirect URI (prefix rule), opens a SignIn payload and
/// either approves it at once (auto-approve) or shows the sign page.
/// </summary>
internal static partial class AuthorizeEndpoint
{
    public static IResult Handle(HttpContext context, XummSimulatorState state)
    {
        var query = context.Request.Query;
        var clientId = Single(query, "client_id");
        var redirectUri = Single(query, "redirect_uri");

        // Until the redirect URI is trusted, errors are shown here and never redirected.
        var app = state.FindApp(clientId);
        if (app is null)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Unknown client_id.");
        }

        if (app.Disabled)
        {
            return HtmlPage.Message(context, StatusCodes.Status403Forbidden, "Sign-in failed", "This application is disabled.");
        }

        if (string.IsNullOrEmpty(redirectUri) || !RedirectUriMatcher.Matches(app.RedirectUris, redirectUri))
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "The redirect_uri is not registered for this application.");
        }

        var stateParameter = Single(query, "state");
        if (Single(query, "response_type") != "code")
        {
            return AuthorizationRedirect.Error(redirectUri, stateParameter, "unsupported_response_type", "Only response_type=code is supported.");
        }

        var challenge = Single(query, "code_challenge");
        var challengeMethod = Single(query, "code_challenge_method");
        if (challenge is not null && (challengeMethod != "S256" || !PkceChallenge().IsMatch(challenge)))
        {
            return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "PKCE needs a code_challenge with code_challenge_method=S256.");
        }

        if (challenge is null && challengeMethod is not null)
        {
            return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "code_challenge_method without code_challenge.");
        }

        XummNetwork? forceNetwork = null;
        if (Single(query, "force_network") is { Length: > 0 } forced && !XummNetworks.TryFind(forced, out forceNetwork))
        {
            return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", $"Unknown force_network '{forced}'.");
        }

        IReadOnlyList<string>? signers = null;
        if (Single(query, "signers") is { Length: > 0 } signerList)
        {
            signers = signerList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (signers.Count == 0 || signers.Any(s => !XrplAddress.IsValid(s)))
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "signers must be comma-separated r-addresses.");
            }
        }

        var template = new AuthorizationRequest(
            PayloadUuid: "",
            ClientId: app.ApiKey,
            RedirectUri: redirectUri,
            Scope: Single(query, "scope")?.Trim() ?? "",
            State: stateParameter,
            Nonce: Single(query, "nonce"),
            CodeChallenge: challenge);
        var request = state.BeginAuthorization(app, template, forceNetwork, signers);

        if (state.TakeAutoApprove() is { } auto)
        {
            return AuthorizeDecisionEndpoint.ApproveAndReturn(context, state, request, auto.Account, auto.Network);
        }

        return AuthPage.Render(context, state, app, request.PayloadUuid, error: null);
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{43,128}$")]
    private static partial Regex PkceChallenge();
}
