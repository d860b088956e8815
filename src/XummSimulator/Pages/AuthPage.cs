using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Pages;

/// <summary>The OAuth2 sign page: what oauth2.xumm.app shows while it waits for the wallet.</summary>
internal static class AuthPage
{
    public static IResult Render(HttpContext context, XummSimulatorState state, XummSimulatorApp app, string payloadUuid, string? error, string? notice = null)
    {
        var payload = state.FindPayload(payloadUuid);
        if (payload is null)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Sign-in failed", "Unknown sign-in.");
        }

        var urls = SimulatorUrls.For(context, state.Options);
        var body = (error is null ? "" : $"<p class=\"error\">{HtmlPage.Encode(error)}</p>")
            + (notice is null ? "" : $"<p class=\"notice\">{HtmlPage.Encode(notice)}</p>")
            + $"<p>{HtmlPage.Encode(app.Name)} asks you to sign in with your wallet.</p>"
            + WalletForm.Render(payload, urls, SimulatorUrls.LocalPath(context, "/auth/decision"), state.Options.Network)
            + "<p>Approved or rejected on another device? <a id=\"continue\" href=\""
            + HtmlPage.Encode(SimulatorUrls.LocalPath(context, "/auth/continue?payload=" + payloadUuid))
            + "\">Continue</a></p>";
        return HtmlPage.Render(context, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, "Sign in with Xumm", body);
    }
}
