using Microsoft.AspNetCore.Http;

namespace XummSimulator.Internal;

/// <summary>
/// The simulator's public base URL (also the OAuth2 issuer) and its websocket form. Taken from
/// <see cref="XummSimulatorOptions.Issuer"/>, or else from the request and the mapped prefix.
/// </summary>
internal sealed record SimulatorUrls(string Base, string WebSocketBase)
{
    public string Issuer => Base;

    public static SimulatorUrls For(HttpContext context, XummSimulatorOptions options)
    {
        var baseUrl = options.Issuer is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : string.Concat(
                context.Request.Scheme, "://", context.Request.Host.Value,
                context.Request.PathBase.Value, SimulatorPrefix.Of(context)).TrimEnd('/');

        var webSocketBase = baseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? "wss://" + baseUrl["https://".Length..]
            : "ws://" + baseUrl[(baseUrl.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return new SimulatorUrls(baseUrl, webSocketBase);
    }

    /// <summary>A path on this host under the simulator's prefix, for links and form actions in pages.</summary>
    public static string LocalPath(HttpContext context, string path) =>
        string.Concat(context.Request.PathBase.Value, SimulatorPrefix.Of(context), path);

    public string SignPage(string uuid) => $"{Base}/sign/{uuid}";

    public string QrPng(string uuid) => $"{Base}/sign/{uuid}_q.png";

    public string QrMatrix(string uuid) => $"{Base}/sign/{uuid}_q.json";

    public string WebSocket(string uuid) => $"{WebSocketBase}/sign/{uuid}";

    /// <summary>The link the wallet app opens; on a phone it hands the payload to the app.</summary>
    public static string DeepLink(string uuid) => $"xumm://xumm.app/sign/{uuid}";
}
