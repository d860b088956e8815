using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;
using XummSimulator.Model;
using XummSimulator.Pages;

namespace XummSimulator.Oidc;

/// <summary>
/// <c>GET /auth</c>: checks the client and redirect URI (prefix rule), opens a SignIn payload and
/// either approves it at once (auto-approve) or shows the sign page. The code flow and the implicit
/// flow share all of it; only the answer differs (see <see cref="AuthorizationRedirect"/>).
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
        if (ParseResponseType(Single(query, "response_type")) is not { } responseType)
        {
            return AuthorizationRedirect.Error(
                redirectUri, stateParameter, "unsupported_response_type", "Supported: response_type=code, token, id_token token or id_token.");
        }

        // The implicit flow answers in the fragment, which a redirect URI must not already have (RFC 6749 §3.1.2).
        var inFragment = responseType != AuthorizationResponseType.Code;
        if (inFragment && redirectUri.Contains('#', StringComparison.Ordinal))
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "A redirect_uri with a fragment cannot receive a token.");
        }

        var scope = Single(query, "scope")?.Trim() ?? "";
        var nonce = Single(query, "nonce");
        string? challenge = null;
        if (!inFragment)
        {
            challenge = Single(query, "code_challenge");
            var challengeMethod = Single(query, "code_challenge_method");
            if (challenge is not null && (challengeMethod != "S256" || !PkceChallenge().IsMatch(challenge)))
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "PKCE needs a code_challenge with code_challenge_method=S256.");
            }

            if (challenge is null && challengeMethod is not null)
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "code_challenge_method without code_challenge.");
            }
        }
        else if (responseType.HasFlag(AuthorizationResponseType.IdToken))
        {
            // An id_token in the front channel must be bound to the request (OpenID Connect Core §3.2.2.1),
            // and the platform only issues one with scope openid.
            if (!TokenIssuer.HasOpenIdScope(scope))
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "response_type id_token needs scope openid.", inFragment);
            }

            if (string.IsNullOrEmpty(nonce))
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "response_type id_token needs a nonce.", inFragment);
            }
        }

        XummNetwork? forceNetwork = null;
        if (Single(query, "force_network") is { Length: > 0 } forced && !XummNetworks.TryFind(forced, out forceNetwork))
        {
            return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", $"Unknown force_network '{forced}'.", inFragment);
        }

        IReadOnlyList<string>? signers = null;
        if (Single(query, "signers") is { Length: > 0 } signerList)
        {
            signers = signerList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (signers.Count == 0 || signers.Any(s => !XrplAddress.IsValid(s)))
            {
                return AuthorizationRedirect.Error(redirectUri, stateParameter, "invalid_request", "signers must be comma-separated r-addresses.", inFragment);
            }
        }

        var template = new AuthorizationRequest(
            PayloadUuid: "",
            ClientId: app.ApiKey,
            RedirectUri: redirectUri,
            Scope: scope,
            State: stateParameter,
            Nonce: nonce,
            CodeChallenge: challenge,
            ResponseType: responseType);
        var request = state.BeginAuthorization(app, template, forceNetwork, signers);

        if (state.TakeAutoApprove() is { } auto)
        {
            return AuthorizeDecisionEndpoint.ApproveAndReturn(context, state, request, auto.Account, auto.Network);
        }

        return AuthPage.Render(context, state, app, request.PayloadUuid, error: null);
    }

    /// <summary>
    /// The flows the platform offers: <c>code</c>, or the implicit <c>token</c>, <c>id_token token</c>
    /// and <c>id_token</c> (values in any order, RFC 6749 §3.1.1). Anything else (hybrid types included) is null.
    /// </summary>
    private static AuthorizationResponseType? ParseResponseType(string? value)
    {
        var values = (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var parsed = AuthorizationResponseType.None;
        foreach (var item in values)
        {
            var flag = item switch
            {
                "code" => AuthorizationResponseType.Code,
                "token" => AuthorizationResponseType.Token,
                "id_token" => AuthorizationResponseType.IdToken,
                _ => AuthorizationResponseType.None,
            };
            if (flag == AuthorizationResponseType.None || parsed.HasFlag(flag))
            {
                return null;
            }

            parsed |= flag;
        }

        var hybrid = parsed.HasFlag(AuthorizationResponseType.Code) && parsed != AuthorizationResponseType.Code;
        return parsed == AuthorizationResponseType.None || hybrid ? null : parsed;
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{43,128}$")]
    private static partial Regex PkceChallenge();
}
