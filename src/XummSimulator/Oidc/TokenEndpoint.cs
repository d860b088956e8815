using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Oidc;

/// <summary>
/// <c>POST /token</c>: authorization code grant. The answer has <c>token_type</c> "bearer" in lower
/// case, <c>refresh_token</c> as the empty string, and <c>id_token</c> (only with scope openid) equal
/// to <c>access_token</c>.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, XummSimulatorState state)
    {
        if (!context.Request.HasFormContentType)
        {
            return OidcError.BadRequest("invalid_request", "The token request must be form-encoded.", context);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var client = ClientAuthentication.From(context, form, state);
        if (client.Error == "invalid_request")
        {
            return OidcError.BadRequest(client.Error, client.Description!, context);
        }

        if (client.App is null)
        {
            return OidcError.Json(
                StatusCodes.Status401Unauthorized, "invalid_client", client.Description ?? "Client authentication failed.", context,
                client.UsedBasic ? "Basic realm=\"xumm\"" : null);
        }

        var app = client.App;
        if (app.Disabled)
        {
            return OidcError.Json(StatusCodes.Status403Forbidden, "access_denied", "This application is disabled.", context);
        }

        if (form["grant_type"] != "authorization_code")
        {
            return OidcError.BadRequest("unsupported_grant_type", "Only grant_type=authorization_code is supported.", context);
        }

        var codeValue = form["code"].ToString();
        if (codeValue.Length == 0)
        {
            return OidcError.BadRequest("invalid_request", "code is required.", context);
        }

        var code = state.RedeemCode(codeValue);
        if (code is null || !string.Equals(code.ClientId, app.ApiKey, StringComparison.OrdinalIgnoreCase))
        {
            return OidcError.BadRequest("invalid_grant", "The code is invalid, expired or already used.", context);
        }

        if (form["redirect_uri"] != code.RedirectUri)
        {
            return OidcError.BadRequest("invalid_grant", "redirect_uri does not match the authorization request.", context);
        }

        var verifier = form["code_verifier"].ToString();
        if (code.CodeChallenge is null)
        {
            if (!client.Confidential)
            {
                return OidcError.Json(StatusCodes.Status401Unauthorized, "invalid_client", "A client without secret must use PKCE.", context);
            }
        }
        else if (verifier.Length == 0 || !MatchesChallenge(verifier, code.CodeChallenge))
        {
            return OidcError.BadRequest("invalid_grant", "The code_verifier does not match the code_challenge.", context);
        }

        var urls = SimulatorUrls.For(context, state.Options);
        var (jwt, expiresAt) = TokenIssuer.Issue(state, app, code, urls.Issuer);
        var answer = new JsonObject
        {
            ["access_token"] = jwt,
            ["token_type"] = "bearer",
            ["expires_in"] = TokenIssuer.ExpiresIn(state, expiresAt),
        };
        if (TokenIssuer.HasOpenIdScope(code.Scope))
        {
            answer["id_token"] = jwt;
        }

        answer["refresh_token"] = "";
        answer["scope"] = code.Scope;
        OidcError.NoStore(context);
        return Results.Json(answer);
    }

    private static bool MatchesChallenge(string verifier, string challenge)
    {
        var computed = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }
}
