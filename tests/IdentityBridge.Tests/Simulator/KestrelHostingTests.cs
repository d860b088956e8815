using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using XummSimulator;

namespace IdentityBridge.Tests.Simulator;

/// <summary>The simulator inside a real Kestrel host on loopback: websockets work without extra host setup.</summary>
public sealed class KestrelHostingTests
{
    [Fact]
    public async Task Mapped_simulator_serves_websockets_on_kestrel_without_host_setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddXummSimulator(o =>
        {
            var app = new XummSimulatorApp { ApiKey = SimulatorHost.ApiKey, ApiSecret = SimulatorHost.ApiSecret, Name = "Kestrel" };
            app.RedirectUris.Add(SimulatorHost.RedirectUri);
            o.Apps.Add(app);
        });
        await using var web = builder.Build();
        web.MapXummSimulator("/xumm-sim");
        await web.StartAsync();
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var state = web.Services.GetRequiredService<XummSimulatorState>();

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/xumm-sim/api/v1/platform/payload")
        {
            Content = new StringContent("""{"txjson":{"TransactionType":"SignIn"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", SimulatorHost.ApiKey);
        request.Headers.Add("x-api-secret", SimulatorHost.ApiSecret);
        using var created = await http.SendAsync(request);
        var refs = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var uuid = refs["uuid"]!.GetValue<string>();

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(refs["refs"]!["websocket_status"]!.GetValue<string>()), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        var welcome = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains($"Welcome {uuid}", Encoding.UTF8.GetString(buffer, 0, welcome.Count), StringComparison.Ordinal);
        Assert.StartsWith("ws://127.0.0.1:", refs["refs"]!["websocket_status"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(state.FindPayload(uuid));
        await web.StopAsync();
    }
}
