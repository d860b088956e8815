using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XummSimulator.Internal;

namespace XummSimulator.Webhooks;

/// <summary>
/// Delivers webhooks like the platform: signed POST, success only on HTTP 200 within the timeout,
/// otherwise retried after the configured delays (10 s, 60 s, 600 s, 600 s by default).
/// Waiting uses the registered <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class WebhookDispatcher(
    WebhookQueue queue,
    IHttpClientFactory clients,
    IOptions<XummSimulatorOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            await foreach (var delivery in queue.Reader.ReadAllAsync(stoppingToken))
            {
                running.RemoveAll(t => t.IsCompleted);
                running.Add(DeliverAsync(delivery, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down.
        }

        await Task.WhenAll(running);
    }

    private async Task DeliverAsync(WebhookDelivery delivery, CancellationToken stoppingToken)
    {
        var delays = options.Value.EffectiveWebhookRetryDelays;
        try
        {
            for (var attempt = 0; attempt <= delays.Count; attempt++)
            {
                if (attempt > 0)
                {
                    await Task.Delay(delays[attempt - 1], time, stoppingToken);
                }

                if (await TryOnceAsync(delivery, attempt + 1, stoppingToken))
                {
                    return;
                }
            }

            LogGaveUp(logger, delivery.PayloadUuid, delays.Count + 1);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutting down: pending retries are dropped, as a restart of the platform would.
        }
    }

    private async Task<bool> TryOnceAsync(WebhookDelivery delivery, int attempt, CancellationToken stoppingToken)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-xumm-request-timestamp", timestamp);
        request.Headers.Add("x-xumm-request-signature", WebhookSignature.Compute(delivery.ApiSecret, timestamp, delivery.Body));

        using var timeout = new CancellationTokenSource(options.Value.WebhookTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
        int? status = null;
        string? failure = null;
        try
        {
            using var client = clients.CreateClient(XummSimulatorDefaults.WebhookHttpClientName);
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(request, linked.Token);
            status = (int)response.StatusCode;
            if (status != 200)
            {
                failure = $"HTTP {status}";
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            failure = "timeout";
        }
        catch (HttpRequestException e)
        {
            failure = e.HttpRequestError.ToString();
        }

        var delivered = failure is null;
        queue.Record(new WebhookAttempt(delivery.PayloadUuid, delivery.ReferenceCallUuid, delivery.Url, attempt, time.GetUtcNow(), status, delivered, failure));
        if (!delivered)
        {
            LogFailed(logger, delivery.PayloadUuid, attempt, failure!);
        }

        return delivered;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for payload {PayloadUuid}, attempt {Attempt}, failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string payloadUuid, int attempt, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for payload {PayloadUuid} given up after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string payloadUuid, int attempts);
}
