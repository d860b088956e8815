using IdentityBridge.EndToEnd.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace IdentityBridge.EndToEnd.SignIn;

/// <summary>One POST a client's endpoint received: its Authorization header and body.</summary>
public sealed record ReceivedNotification(string? Authorization, string? ContentType, string Body);

/// <summary>
/// A CIBA ping client's notification endpoint on 127.0.0.1: records every POST and answers 204, as a client would.
/// </summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _arrived = new(0);

    public NotificationReceiver(int port)
    {
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Url = $"http://127.0.0.1:{port}/ciba/notify";
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<ReceivedNotification> Received { get; } = new();

    /// <summary>The first notification whose body contains <paramref name="text"/>, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<ReceivedNotification> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Received.FirstOrDefault(n => n.Body.Contains(text, StringComparison.Ordinal));
            if (found is not null) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("No notification arrived in time.");
            await _arrived.WaitAsync(left);
        }
    }

    private Task LoopAsync() => LoopbackListener.AcceptAsync(_listener, async context =>
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == "/ciba/notify")
        {
            Received.Enqueue(new ReceivedNotification(context.Request.Headers["Authorization"], context.Request.ContentType, body));
            _arrived.Release();
            context.Response.StatusCode = 204;
        }
        else context.Response.StatusCode = 404;
        context.Response.Close();
    });

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _arrived.Dispose();
    }
}
