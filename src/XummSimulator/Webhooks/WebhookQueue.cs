using System.Collections.Concurrent;
using System.Threading.Channels;

namespace XummSimulator.Webhooks;

/// <summary>Deliveries waiting for the dispatcher, and the log of attempts made.</summary>
internal sealed class WebhookQueue
{
    private readonly Channel<WebhookDelivery> _channel = Channel.CreateUnbounded<WebhookDelivery>();
    private readonly ConcurrentQueue<WebhookAttempt> _log = new();

    public ChannelReader<WebhookDelivery> Reader => _channel.Reader;

    public void Enqueue(WebhookDelivery delivery) => _channel.Writer.TryWrite(delivery);

    public void Record(WebhookAttempt attempt) => _log.Enqueue(attempt);

    public IReadOnlyList<WebhookAttempt> Attempts() => [.. _log];

    public void ClearLog() => _log.Clear();
}
