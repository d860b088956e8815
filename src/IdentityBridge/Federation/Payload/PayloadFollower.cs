using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// Follows each pending payload created on this node until it resolves or its deadline passes: first on the
/// payload's status websocket (one background <see cref="WebSocket"/> per payload), and where that is not
/// available or drops, by polling GET /payload through <see cref="PayloadPollGate"/>. A websocket message is
/// only a cue: the resolution is always read back with GET /payload (<see cref="PayloadResolver"/>).
/// </summary>
public sealed class PayloadFollower(
    IServiceScopeFactory scopes,
    IPayloadSocketConnector connector,
    PayloadPollGate gate,
    SignInSignals signals,
    IOptions<PayloadSignInOptions> options,
    TimeProvider time,
    ILogger<PayloadFollower> logger) : IHostedService
{
    private const int MaxMessageBytes = 16 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Followed> _followed = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>True while this node holds an open status websocket for the payload (polling is then unnecessary).</summary>
    public bool IsWatchingSocket(string payloadUuid) => _followed.TryGetValue(payloadUuid, out var f) && f.SocketOpen;

    /// <summary>Payloads followed right now on this node.</summary>
    public int Count => _followed.Count;

    /// <summary>Starts following a payload (no-op when already followed, or when the node follows its maximum).</summary>
    public void Follow(string requestId, string payloadUuid, string? webSocketUrl, DateTimeOffset deadline)
    {
        if (_stopping.IsCancellationRequested || _followed.Count >= options.Value.MaxFollowedPayloads) return;
        var followed = new Followed();
        if (!_followed.TryAdd(payloadUuid, followed)) return;
        followed.Task = Task.Run(() => RunAsync(requestId, payloadUuid, webSocketUrl, deadline, followed));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The token source is never disposed: followers may still look at it while the host winds down.
        await _stopping.CancelAsync();
        var running = _followed.Values.Select(f => f.Task).Where(t => t is not null).Cast<Task>().ToArray();
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(string requestId, string payloadUuid, string? webSocketUrl, DateTimeOffset deadline, Followed followed)
    {
        var changed = signals.NextChangeAsync(requestId);
        var remaining = deadline - time.GetUtcNow();
        using var deadlineSource = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadlineSource.Token, _stopping.Token);
        var ct = linked.Token;
        try
        {
            if (options.Value.UseWebSocket && Uri.TryCreate(webSocketUrl, UriKind.Absolute, out var uri) && uri.Scheme is "ws" or "wss")
            {
                var cue = await WatchSocketAsync(uri, payloadUuid, changed, followed, ct);
                if (cue == SocketEnd.ResolvedElsewhere) return;
                if (cue == SocketEnd.Cue && await LookAsync(payloadUuid, ct) is false) return;
            }
            while (!ct.IsCancellationRequested)
            {
                var interval = options.Value.PollInterval;
                var woke = await Task.WhenAny(changed, Task.Delay(interval, time, ct));
                if (woke == changed) return;
                if (gate.TryEnter(payloadUuid) && await LookAsync(payloadUuid, ct) is false) return;
            }
        }
        catch (OperationCanceledException)
        {
            // The deadline passed or the node is stopping.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Following payload {PayloadUuid} failed", payloadUuid);
        }
        finally
        {
            _followed.TryRemove(payloadUuid, out _);
        }

        // At the deadline, one last look ends the request (expired), so a waiting CIBA client hears of it.
        if (!_stopping.IsCancellationRequested && !changed.IsCompleted)
        {
            try
            {
                await LookAsync(payloadUuid, _stopping.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Last look at payload {PayloadUuid} failed", payloadUuid);
            }
        }
    }

    /// <summary>Reads the status socket until it gives a cue. Failing to connect or losing it falls back to polling.</summary>
    private async Task<SocketEnd> WatchSocketAsync(Uri uri, string payloadUuid, Task changed, Followed followed, CancellationToken ct)
    {
        WebSocket socket;
        try
        {
            using var connectTimeout = new CancellationTokenSource(ConnectTimeout, time);
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct, connectTimeout.Token);
            socket = await connector.ConnectAsync(uri, connect.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or InvalidOperationException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogInformation("Status websocket of payload {PayloadUuid} not available ({Reason}); polling instead", payloadUuid, ex.GetType().Name);
            return SocketEnd.Lost;
        }

        using (socket)
        {
            followed.SocketOpen = true;
            try
            {
                var buffer = new byte[MaxMessageBytes];
                while (socket.State == WebSocketState.Open)
                {
                    var receive = ReceiveAsync(socket, buffer, ct);
                    if (await Task.WhenAny(receive, changed) == changed)
                    {
                        await CloseQuietlyAsync(socket);
                        return SocketEnd.ResolvedElsewhere;
                    }
                    var message = await receive;
                    if (message is null) break;
                    if (IsCue(message))
                    {
                        await CloseQuietlyAsync(socket);
                        return SocketEnd.Cue;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or JsonException)
            {
                logger.LogInformation("Status websocket of payload {PayloadUuid} lost ({Reason}); polling instead", payloadUuid, ex.GetType().Name);
            }
            finally
            {
                followed.SocketOpen = false;
            }
        }
        // Closed without a cue: the payload may have resolved just then, so look before polling.
        return SocketEnd.Cue;
    }

    /// <summary>The next text message, or null when the socket closed or a message was too large.</summary>
    private static async Task<string?> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        var count = 0;
        while (true)
        {
            if (count == buffer.Length) return null;
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), ct);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            count += result.Count;
            if (result.EndOfMessage) return System.Text.Encoding.UTF8.GetString(buffer, 0, count);
        }
    }

    /// <summary>A resolution (signed or not) or the end of the payload: time to read it back.</summary>
    internal static bool IsCue(string message)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return false;
        return root.TryGetProperty("signed", out _) || root.TryGetProperty("payload_uuidv4", out _)
            || (root.TryGetProperty("expired", out var expired) && expired.ValueKind == JsonValueKind.True);
    }

    /// <summary>Resolves the payload; false once its request is no longer pending (nothing left to follow).</summary>
    private async Task<bool> LookAsync(string payloadUuid, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var resolver = scope.ServiceProvider.GetRequiredService<PayloadResolver>();
        var result = await resolver.ResolveAsync(payloadUuid, null, ct);
        return result.Request is { Status: SignInStatuses.Pending };
    }

    private static async Task CloseQuietlyAsync(WebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort.
        }
    }

    private enum SocketEnd
    {
        Cue,
        Lost,
        ResolvedElsewhere,
    }

    private sealed class Followed
    {
        public volatile bool SocketOpen;
        public Task? Task;
    }
}
