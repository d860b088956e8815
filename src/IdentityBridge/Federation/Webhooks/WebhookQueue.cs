using System.Threading.Channels;
using IdentityBridge.Federation.Payload;

namespace IdentityBridge.Federation.Webhooks;

/// <summary>A verified, first-seen webhook delivery waiting for <see cref="WebhookWorker"/>.</summary>
public sealed record WebhookWork(string ReferenceCallUuid, string PayloadUuid, UserTokenNotice? UserToken);

/// <summary>The in-memory queue between the webhook endpoint (which answers at once) and the worker.</summary>
public sealed class WebhookQueue
{
    private readonly Channel<WebhookWork> _channel = Channel.CreateBounded<WebhookWork>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    internal ChannelReader<WebhookWork> Reader => _channel.Reader;

    /// <summary>False when the queue is full (the payload is still followed by websocket or polling).</summary>
    public bool Enqueue(WebhookWork work) => _channel.Writer.TryWrite(work);

    /// <summary>Raised after the worker handled a delivery (reference_call_uuidv4), whatever the outcome.</summary>
    public event Action<string>? Processed;

    internal void RaiseProcessed(string referenceCallUuid) => Processed?.Invoke(referenceCallUuid);
}
