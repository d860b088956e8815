using IdentityBridge.EndToEnd.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace IdentityBridge.EndToEnd.SignIn;

/// <summary>One webhook the proxy passed on: the delivery id, the bridge's answer, and what the simulator was told.</summary>
public sealed record ForwardedWebhook(string PayloadUuid, string ReferenceCall, int BridgeStatus, string BridgeBody, int AnsweredStatus);

/// <summary>
/// Sits between the simulator and the bridge as the application's webhook URL: every delivery is passed on to
/// the bridge unchanged (body and signature headers); with <see cref="FailFirstAttempt"/> the simulator is told
/// 500 after the first hand-over of each delivery, so it retries a delivery the bridge already received.
/// </summary>
public sealed class WebhookProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly Task _loop;
    private readonly string _target;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    public WebhookProxy(int port, string target)
    {
        _target = target;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Url = $"http://127.0.0.1:{port}/xumm/webhook";
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public bool FailFirstAttempt { get; set; }

    public ConcurrentQueue<ForwardedWebhook> Forwarded { get; } = new();

    // Each delivery is forwarded on its own task, so a slow bridge does not hold up the next one.
    private Task LoopAsync() => LoopbackListener.AcceptAsync(_listener, context =>
    {
        _ = Task.Run(() => ForwardAsync(context));
        return Task.CompletedTask;
    });

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            using var request = new HttpRequestMessage(HttpMethod.Post, _target) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var header in new[] { "x-xumm-request-timestamp", "x-xumm-request-signature" })
                if (context.Request.Headers[header] is { } value) request.Headers.Add(header, value);
            using var response = await _http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();

            using var json = System.Text.Json.JsonDocument.Parse(body);
            var payloadResponse = json.RootElement.GetProperty("payloadResponse");
            var reference = payloadResponse.GetProperty("reference_call_uuidv4").GetString() ?? "";
            var payload = payloadResponse.GetProperty("payload_uuidv4").GetString() ?? "";
            var attempt = _seen.AddOrUpdate(reference, 1, (_, n) => n + 1);
            var status = FailFirstAttempt && attempt == 1 ? 500 : (int)response.StatusCode;
            Forwarded.Enqueue(new ForwardedWebhook(payload, reference, (int)response.StatusCode, answer, status));
            context.Response.StatusCode = status;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            context.Response.StatusCode = 502;
        }
        finally
        {
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        _http.Dispose();
    }
}
