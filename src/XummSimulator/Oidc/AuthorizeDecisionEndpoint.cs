using Microsoft.AspNetCore.Http;
using XummSimulator.Model;
using XummSimulator.Pages;

namespace XummSimulator.Oidc;

/// <summary>
/// The answers to the sign page: <c>POST /auth/decision</c> (approve as a wallet, or reject) and
/// <c>GET /auth/continue</c> (come back after the payload was resolved elsewhere, for example through
/// the QR code's sign page or the control API).
/// </summary>
internal static class AuthorizeDecisionEndpoint
{
    public static async Task<IResult> Decide(HttpContext context, XummSimulatorState state)
    {
        if (!context.Request.HasFormContentType)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Expected a form.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var payloadUuid = form["payload"].ToString();
        var request = state.FindAuthorization(payloadUuid);
        if (request is null)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Unknown sign-in.");
        }

        if (form["action"] == "reject")
        {
            state.Reject(payloadUuid);
            return Finish(context, state, request);
        }

        var account = form["account"].ToString().Trim();
        var network = form["network"].ToString();
        return ApproveAndReturn(context, state, request, account, string.IsNullOrEmpty(network) ? null : network);
    }

    public static IResult Continue(HttpContext context, XummSimulatorState state)
    {
        var payloadUuid = context.Request.Query["payload"].ToString();
        var request = state.FindAuthorization(payloadUuid);
        if (request is null)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Unknown sign-in.");
        }

        return Finish(context, state, request);
    }

    /// <summary>Signs the sign-in payload as <paramref name="account"/> and sends the browser back.</summary>
    public static IResult ApproveAndReturn(HttpContext context, XummSimulatorState state, AuthorizationRequest request, string account, string? network)
    {
        var result = state.Approve(request.PayloadUuid, account, network);
        if (!result.Succeeded)
        {
            switch (result.Error)
            {
                case "invalid_account" or "invalid_network":
                    var app = state.FindApp(request.ClientId)!;
                    return AuthPage.Render(context, state, app, request.PayloadUuid, result.Description);
                case "signer_not_allowed":
                    // The wallet may not sign this request: the sign-in ends as denied.
                    state.Reject(request.PayloadUuid);
                    break;
            }
        }

        return Finish(context, state, request);
    }

    private static IResult Finish(HttpContext context, XummSimulatorState state, AuthorizationRequest request)
    {
        var outcome = state.CompleteAuthorization(request.PayloadUuid);
        if (outcome is null)
        {
            var app = state.FindApp(request.ClientId)!;
            return AuthPage.Render(context, state, app, request.PayloadUuid, error: null, notice: "The sign request has not been resolved yet.");
        }

        if (outcome.Error == "invalid_request")
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in already completed", outcome.ErrorDescription ?? "");
        }

        return AuthorizationRedirect.To(context, state, outcome);
    }
}
