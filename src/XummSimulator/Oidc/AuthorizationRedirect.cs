using System.Text;
using Microsoft.AspNetCore.Http;
using XummSimulator.Model;

namespace XummSimulator.Oidc;

/// <summary>
/// Sends the browser back to the client. Success carries the code twice (<c>code</c> and
/// <c>authorization_code</c>), the <c>state</c>, and the <c>nonce</c> when one was sent.
/// </summary>
internal static class AuthorizationRedirect
{
    public static IResult To(AuthorizationOutcome outcome)
    {
        var request = outcome.Request;
        var parameters = new List<(string Name, string Value)>();
        if (outcome.Code is { } code)
        {
            parameters.Add(("code", code));
            parameters.Add(("authorization_code", code));
        }
        else
        {
            parameters.Add(("error", outcome.Error ?? "access_denied"));
            if (outcome.ErrorDescription is { } description)
            {
                parameters.Add(("error_description", description));
            }
        }

        if (request.State is { } state)
        {
            parameters.Add(("state", state));
        }

        if (outcome.Code is not null && request.Nonce is { } nonce)
        {
            parameters.Add(("nonce", nonce));
        }

        return Results.Redirect(Append(request.RedirectUri, parameters));
    }

    public static IResult Error(string redirectUri, string? state, string error, string description) =>
        Results.Redirect(Append(redirectUri, state is null
            ? [("error", error), ("error_description", description)]
            : [("error", error), ("error_description", description), ("state", state)]));

    private static string Append(string uri, IEnumerable<(string Name, string Value)> parameters)
    {
        var builder = new StringBuilder(uri);
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }
}
