using System.Net.WebSockets;

namespace IdentityBridge.Federation.Payload;

/// <summary>Opens a payload's status websocket. The seam lets in-process tests reach the simulator without a network.</summary>
public interface IPayloadSocketConnector
{
    Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct);
}

/// <summary>A plain <see cref="ClientWebSocket"/> (ws:// or wss://).</summary>
internal sealed class ClientWebSocketConnector : IPayloadSocketConnector
{
    public async Task<WebSocket> ConnectAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        try
        {
            await socket.ConnectAsync(uri, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
