using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;
using XummSimulator.Model;

namespace XummSimulator.Oidc;

/// <summary>
/// Sends the browser back to the client. The code flow answers in the query: the code twice
/// (<c>code</c> and <c>authorization_code</c>), the <c>state</c>, and the <c>nonce</c> when one was sent.
/// The implicit flow answers in the fragment (RFC 6749 §4.2.2, OpenID Connect Core §3.2.2.5): the JWT the
/// token endpoint would issue, as <c>access_token</c> and, with scope openid, as <c>id_token</c> too,
/// with <c>token_type</c> "bearer" in lower case, <c>expires_in</c>, <c>scope</c>, <c>state</c> and
/// the <c>nonce</c> when one was sent; no refresh token. Errors go where the answer would have gone.
/// </summary>
internal static class AuthorizationRedirect
{
    public static IResult To(HttpContext context, XummSimulatorState state, AuthorizationOutcome outcome)
    {
        var request = outcome.Request;
        var parameters = new List<(string Name, string Value)>();
        if (outcome.Grant is { } grant)
        {
            if (request.Implicit)
            {
                AddTokens(context, state, request, grant, parameters);
            }
            else
            {
                parameters.Add(("code", grant.Code));
                parameters.Add(("authorization_code", grant.Code));
            }
        }
        else
        {
            parameters.Add(("error", outcome.Error ?? "access_denied"));
            if (outcome.ErrorDescription is { } description)
            {
                parameters.Add(("error_description", description));
            }
        }

        if (request.State is { } stateParameter)
        {
            parameters.Add(("state", stateParameter));
        }

        if (outcome.Grant is not null && request.Nonce is { } nonce)
        {
            parameters.Add(("nonce", nonce));
        }

        return Results.Redirect(Append(request.RedirectUri, parameters, request.Implicit));
    }

    public static IResult Error(string redirectUri, string? state, string error, string description, bool inFragment = false) =>
        Results.Redirect(Append(redirectUri, state is null
            ? [("error", error), ("error_description", description)]
            : [("error", error), ("error_description", description), ("state", state)], inFragment));

    private static void AddTokens(
        HttpContext context, XummSimulatorState state, AuthorizationRequest request, AuthorizationCode grant, List<(string Name, string Value)> parameters)
    {
        var app = state.FindApp(request.ClientId)!;
        var (jwt, expiresAt) = TokenIssuer.Issue(state, app, grant, SimulatorUrls.For(context, state.Options).Issuer);
        if (request.ResponseType.HasFlag(AuthorizationResponseType.Token))
        {
            parameters.Add(("access_token", jwt));
            parameters.Add(("token_type", "bearer"));
            parameters.Add(("expires_in", TokenIssuer.ExpiresIn(state, expiresAt).ToString(CultureInfo.InvariantCulture)));
            parameters.Add(("scope", grant.Scope));
        }

        // The platform's id_token is the access token itself, answered whenever the scope names openid
        // (a request for an id_token without openid was refused before the sign-in began).
        if (TokenIssuer.HasOpenIdScope(grant.Scope))
        {
            parameters.Add(("id_token", jwt));
        }

        // A token in a Location header must not be kept by a cache on the way.
        OidcError.NoStore(context);
    }

    private static string Append(string uri, IEnumerable<(string Name, string Value)> parameters, bool inFragment)
    {
        var builder = new StringBuilder(uri);
        var separator = inFragment ? '#' : uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }
}
