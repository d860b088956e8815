using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using XummSimulator.Model;

namespace IdentityBridge.Tests.Simulator;

public sealed class PayloadWebSocketTests
{
    [Fact]
    public async Task Websocket_reports_welcome_expiry_opened_and_resolution_then_closes()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync(new
        {
            txjson = new { TransactionType = "SignIn" },
            options = new { return_url = new { app = "myapp://done/{id}", web = "https://rp.example/done/{id}" } },
            custom_meta = new { identifier = "ws-1" },
        });
        using var socket = await ConnectAsync(host, uuid);

        Assert.Equal($"Welcome {uuid}", (await ReceiveAsync(socket))["message"]!.GetValue<string>());
        Assert.True((await ReceiveAsync(socket))["expires_in_seconds"]!.GetValue<long>() > 0);

        host.State.Open(uuid, byDeeplink: true);
        Assert.True((await ReceiveAsync(socket))["opened"]!.GetValue<bool>());

        host.State.Approve(uuid, SimulatorHost.Wallet);
        var resolved = await ReceiveAsync(socket);
        Assert.Equal(uuid, resolved["payload_uuidv4"]!.GetValue<string>());
        Assert.True(Guid.TryParse(resolved["reference_call_uuidv4"]!.GetValue<string>(), out _));
        Assert.True(resolved["signed"]!.GetValue<bool>());
        Assert.True(resolved["user_token"]!.GetValue<bool>());
        Assert.True(resolved["opened_by_deeplink"]!.GetValue<bool>());
        Assert.Equal($"https://rp.example/done/{uuid}", resolved["return_url"]!["web"]!.GetValue<string>());
        Assert.Equal($"myapp://done/{uuid}", resolved["return_url"]!["app"]!.GetValue<string>());
        Assert.Equal("ws-1", resolved["custom_meta"]!["identifier"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(resolved["txid"]!.GetValue<string>()));

        var close = await socket.ReceiveAsync(new byte[256], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
    }

    [Fact]
    public async Task Websocket_reports_expiry()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, options = new { expire = 1 } });
        using var socket = await ConnectAsync(host, uuid);
        await ReceiveAsync(socket);
        await ReceiveAsync(socket);

        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(15));
        host.Clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(45, (await ReceiveAsync(socket))["expires_in_seconds"]!.GetValue<long>());

        host.State.Expire(uuid);
        Assert.True((await ReceiveAsync(socket))["expired"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Websocket_reports_rejection_as_unsigned()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        using var socket = await ConnectAsync(host, uuid);
        await ReceiveAsync(socket);
        await ReceiveAsync(socket);

        host.State.Reject(uuid);
        Assert.True((await ReceiveAsync(socket))["opened"]!.GetValue<bool>());
        var resolved = await ReceiveAsync(socket);

        Assert.False(resolved["signed"]!.GetValue<bool>());
        Assert.False(resolved["user_token"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_conversation_ends_when_the_host_stops_or_the_client_goes_away(bool hostStops)
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        using var socket = await ConnectAsync(host, uuid);
        await ReceiveAsync(socket);
        await ReceiveAsync(socket);
        Assert.Equal(1, host.RequestsInFlight);

        if (hostStops) await host.StopAsync();
        else socket.Abort();

        // The payload is still pending (its expiry is minutes away on the host's clock, which does not move):
        // only the end of the request or of the host can end the conversation.
        Assert.True(await host.WaitForNoRequestsAsync(TimeSpan.FromSeconds(10)), "The websocket conversation is still running.");
        Assert.Equal(PayloadStatus.Pending, host.State.FindPayload(uuid)!.StatusAt(host.Clock.GetUtcNow()));
    }

    private static async Task<WebSocket> ConnectAsync(SimulatorHost host, string uuid) =>
        await host.Server.CreateWebSocketClient().ConnectAsync(new Uri($"ws://localhost{SimulatorHost.Prefix}/sign/{uuid}"), CancellationToken.None);

    private static async Task<JsonObject> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[8192];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!.AsObject();
    }
}
