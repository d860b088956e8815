using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XummSimulator.Model;
using XummSimulator.Platform;

namespace XummSimulator.Sign;

/// <summary>
/// The live status of one payload, as the platform sends it: a welcome, periodic
/// <c>expires_in_seconds</c>, <c>opened</c> once the wallet opened it, then either the resolution
/// message or <c>expired</c>, after which the server closes the socket.
/// </summary>
internal static class PayloadWebSocket
{
    public static async Task RunAsync(HttpContext context, string uuid, XummSimulatorState state)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();

        // End with the request, or when the host shuts down (a graceful stop would otherwise wait for us).
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = lifetime.Token;
        try
        {
            var payload = state.FindPayload(uuid);
            if (payload is null)
            {
                await SendAsync(socket, new JsonObject { ["message"] = "No such payload", ["uuid"] = uuid }, aborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "Unknown payload", aborted);
                return;
            }

            await SendAsync(socket, new JsonObject { ["message"] = $"Welcome {payload.Uuid}" }, aborted);
            await FollowAsync(socket, payload, state, aborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away; nothing to report to anyone.
        }
    }

    private static async Task FollowAsync(WebSocket socket, SimulatedPayload payload, XummSimulatorState state, CancellationToken aborted)
    {
        var interval = state.Options.WebSocketStatusInterval;
        var nextStatusAt = DateTimeOffset.MinValue;
        var sentOpened = false;
        var receive = ReceiveUntilClosedAsync(socket, aborted);

        while (true)
        {
            var changed = payload.Changed;
            var now = state.Time.GetUtcNow();
            var (status, opened, resolution, expiresIn) = state.WithLock(() => (
                payload.StatusAt(now),
                payload.Opened,
                payload.Resolved ? PayloadJson.Resolution(payload) : null,
                PayloadJson.ExpiresInSeconds(payload, now)));

            if (opened && !sentOpened)
            {
                await SendAsync(socket, new JsonObject { ["opened"] = true }, aborted);
                sentOpened = true;
            }

            if (resolution is not null)
            {
                await SendAsync(socket, resolution, aborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Resolved", aborted);
                return;
            }

            if (status is PayloadStatus.Expired or PayloadStatus.Cancelled)
            {
                await SendAsync(socket, new JsonObject { ["expired"] = true }, aborted);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Expired", aborted);
                return;
            }

            if (now >= nextStatusAt)
            {
                await SendAsync(socket, new JsonObject { ["expires_in_seconds"] = expiresIn }, aborted);
                nextStatusAt = now + interval;
            }

            var untilExpiry = payload.ExpiresAt - now;
            var wait = nextStatusAt - now < untilExpiry ? nextStatusAt - now : untilExpiry;
            using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var delay = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, state.Time, delayCancel.Token);
            var woke = await Task.WhenAny(changed, delay, receive);
            await delayCancel.CancelAsync();
            // Once the request or the host ends, the delay completes at once (cancelled) on every turn: without
            // this check the loop would spin until the payload expires.
            if (woke == receive || aborted.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Reads (and ignores) what the client sends; completes when it closes.</summary>
    private static async Task ReceiveUntilClosedAsync(WebSocket socket, CancellationToken aborted)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, aborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Closed or aborted: either way the conversation is over.
        }
    }

    private static Task SendAsync(WebSocket socket, JsonObject message, CancellationToken aborted) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, aborted);
}
