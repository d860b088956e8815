using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XummSimulator.Internal;

namespace XummSimulator.Pages;

/// <summary>
/// The simulator's own address (the prefix it is mapped at): a page that says what the simulator is and how it
/// is reached. Nobody needs to open it, since applications send the user to its approval pages, but a host's log
/// names this address, and it should not answer 404 to someone who follows it.
/// </summary>
internal static class HomePage
{
    public static void Map(IEndpointRouteBuilder group) => group.MapGet("/", Render);

    private static IResult Render(HttpContext context, XummSimulatorState state)
    {
        var discovery = HtmlPage.Encode(SimulatorUrls.LocalPath(context, "/.well-known/openid-configuration"));
        var approval = state.AutoApprove is { } auto
            ? $"Sign-ins are approved at once as <code>{HtmlPage.Encode(auto.Account)}</code>{(auto.Once ? " (the next one only)" : "")}."
            : "Each sign-in is approved or rejected on its own page, which plays the Xumm app: there you choose the wallet that signs.";
        var body = $"""
            <p>A local stand-in for Xumm: the OAuth2 provider of oauth2.xumm.app and the platform API (payloads, QR codes,
            webhooks, xApp tokens), for development and tests. No Xumm account or phone is needed.</p>
            <p>It has nothing to open here. Sign in at the application that uses it: the application sends you to the
            simulator's approval page for that sign-in. {approval}</p>
            <p>The provider's metadata: <a href="{discovery}">OpenID configuration</a>.</p>
            """;
        return HtmlPage.Render(context, StatusCodes.Status200OK, "Xumm simulator", body);
    }
}
