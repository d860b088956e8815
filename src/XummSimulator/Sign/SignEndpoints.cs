using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XummSimulator.Internal;
using XummSimulator.Model;
using XummSimulator.Pages;
using XummSimulator.Platform;

namespace XummSimulator.Sign;

/// <summary>
/// <c>/sign/{uuid}</c> is what <c>next.always</c> and the QR code point at: a web page (here with a
/// form that plays the wallet), the payload websocket on the same path, and the QR images
/// <c>/sign/{uuid}_q.png</c> and <c>/sign/{uuid}_q.json</c>.
/// </summary>
internal static class SignEndpoints
{
    private const string PngSuffix = "_q.png";
    private const string MatrixSuffix = "_q.json";

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/sign/{id}", Get);
        group.MapPost("/sign/{uuid}", Decide).DisableAntiforgery();
    }

    private static async Task<IResult> Get(HttpContext context, string id, XummSimulatorState state)
    {
        var urls = SimulatorUrls.For(context, state.Options);
        if (id.EndsWith(PngSuffix, StringComparison.Ordinal))
        {
            var payload = state.FindPayload(id[..^PngSuffix.Length]);
            return payload is null ? Results.NotFound() : Results.File(QrImages.Png(urls.SignPage(payload.Uuid)), "image/png");
        }

        if (id.EndsWith(MatrixSuffix, StringComparison.Ordinal))
        {
            var payload = state.FindPayload(id[..^MatrixSuffix.Length]);
            return payload is null
                ? Results.NotFound()
                : Results.Json(new JsonObject { ["uuid"] = payload.Uuid, ["matrix"] = QrImages.Matrix(urls.SignPage(payload.Uuid)) });
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            await PayloadWebSocket.RunAsync(context, id, state);
            return Results.Empty;
        }

        return Page(context, state, id, error: null);
    }

    private static async Task<IResult> Decide(HttpContext context, string uuid, XummSimulatorState state)
    {
        if (!context.Request.HasFormContentType)
        {
            return HtmlPage.Message(context, StatusCodes.Status400BadRequest, "Not signed", "Expected a form.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var result = form["action"] == "reject"
            ? state.Reject(uuid)
            : state.Approve(uuid, form["account"].ToString().Trim(), form["network"].ToString() is { Length: > 0 } n ? n : null);
        if (!result.Succeeded)
        {
            return result.Error is "invalid_account" or "invalid_network" or "signer_not_allowed"
                ? Page(context, state, uuid, result.Description)
                : HtmlPage.Message(context, StatusCodes.Status409Conflict, "Not signed", result.Description ?? "");
        }

        var payload = state.FindPayload(uuid)!;
        var returnTo = state.WithLock(() => PayloadJson.ReturnUrls(payload)["web"]?.GetValue<string>());
        if (returnTo is { Length: > 0 } && Uri.TryCreate(returnTo, UriKind.Absolute, out _))
        {
            return Results.Redirect(returnTo);
        }

        var title = payload.Signed ? "Signed" : "Rejected";
        return HtmlPage.Message(context, StatusCodes.Status200OK, title, "You can close this page.");
    }

    private static IResult Page(HttpContext context, XummSimulatorState state, string uuid, string? error)
    {
        var payload = state.FindPayload(uuid);
        if (payload is null)
        {
            return HtmlPage.Message(context, StatusCodes.Status404NotFound, "Sign request", "No such sign request.");
        }

        var app = state.FindApp(payload.ApiKey);
        var status = payload.StatusAt(state.Time.GetUtcNow());
        if (status != PayloadStatus.Pending)
        {
            return HtmlPage.Message(context, StatusCodes.Status200OK, "Sign request", $"This sign request is {status.ToString().ToLowerInvariant()}.");
        }

        var urls = SimulatorUrls.For(context, state.Options);
        var body = (error is null ? "" : $"<p class=\"error\">{HtmlPage.Encode(error)}</p>")
            + $"<p>{HtmlPage.Encode(app?.Name)} asks you to sign a {HtmlPage.Encode(payload.Draft.TxType)} request.</p>"
            + WalletForm.Render(payload, urls, SimulatorUrls.LocalPath(context, "/sign/" + payload.Uuid), state.Options.Network);
        return HtmlPage.Render(context, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, "Sign request", body);
    }
}
