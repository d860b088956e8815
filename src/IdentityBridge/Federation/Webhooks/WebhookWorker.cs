using IdentityBridge.Federation.Payload;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Federation.Webhooks;

/// <summary>
/// Handles queued webhook deliveries one at a time: the body is never trusted for identity, so each delivery
/// only makes <see cref="PayloadResolver"/> read the payload back (GET /payload/{uuid}) before anything changes.
/// </summary>
internal sealed class WebhookWorker(WebhookQueue queue, IServiceScopeFactory scopes, TimeProvider time, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(work, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Webhook delivery {ReferenceCall} for payload {PayloadUuid} failed", work.ReferenceCallUuid, work.PayloadUuid);
                    await ReleaseAsync(work);
                }
                finally
                {
                    queue.RaiseProcessed(work.ReferenceCallUuid);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; unprocessed deliveries are left to websocket and polling.
        }
    }

    private async Task ReleaseAsync(WebhookWork work)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await WebhookEndpoint.ReleaseAsync(scope.ServiceProvider.GetRequiredService<BridgeDbContext>(), work.ReferenceCallUuid, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Webhook delivery {ReferenceCall} could not be released for a retry", work.ReferenceCallUuid);
        }
    }

    private async Task HandleAsync(WebhookWork work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var resolver = scope.ServiceProvider.GetRequiredService<PayloadResolver>();
        var result = await resolver.ResolveAsync(work.PayloadUuid, work.UserToken, ct);
        var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
        if (!result.Looked)
        {
            // Not processed: forget the delivery so the platform's retry of it is handled, not taken for a repeat.
            await WebhookEndpoint.ReleaseAsync(db, work.ReferenceCallUuid, ct);
            logger.LogWarning("Webhook delivery {ReferenceCall}: payload {PayloadUuid} could not be read back; left to the platform's retry and polling",
                work.ReferenceCallUuid, work.PayloadUuid);
            return;
        }
        var now = time.GetUtcNow();
        await db.WebhookDeliveries.Where(d => d.ReferenceCallUuid == work.ReferenceCallUuid)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ProcessedAt, now), ct);
        logger.LogInformation("Webhook delivery {ReferenceCall} for payload {PayloadUuid} processed (request {RequestId}: {Status})",
            work.ReferenceCallUuid, work.PayloadUuid, result.Request?.Id, result.Request?.Status);
    }
}
