using System.Globalization;

namespace IdentityBridge.Provider.Notifications;

/// <summary>
/// Makes the retries of client notifications that are due (<see cref="ClientNotificationOutbox"/>), on whichever node
/// runs it first: each due row is claimed, sent afresh by its kind, then deleted (delivered, or a final answer; its
/// kind records the outcome) or made due again (another retryable failure with retries left). A row whose
/// <see cref="ClientNotificationOutbox.DeliveryWindow"/> has passed (the bridge was stopped meanwhile) is not sent: its
/// failure is recorded as final.
/// </summary>
public sealed class ClientNotificationRetries(
    ClientNotificationOutbox outbox,
    IEnumerable<IPendingNotificationKind> kinds,
    TimeProvider time,
    ILogger<ClientNotificationRetries> logger)
{
    /// <summary>Rows looked at by one run.</summary>
    public const int BatchSize = 100;

    private readonly Dictionary<string, IPendingNotificationKind> _kinds = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    /// <summary>Sends every retry due now that no other node has taken. Returns the number this node made.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var made = 0;
        foreach (var (key, due) in await outbox.DueAsync(BatchSize, ct))
        {
            var claimed = await outbox.TryClaimAsync(key, due, ct);
            if (claimed is null) continue;
            try
            {
                if (await DeliverAsync(claimed, ct)) made++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // The row stays claimed: it is due again when the lease ends, here or on another node.
                logger.LogError(ex, "Retrying a notification to client {ClientId} failed", claimed.ClientId);
            }
        }
        return made;
    }

    private async Task<bool> DeliverAsync(ClaimedNotification claimed, CancellationToken ct)
    {
        var data = claimed.Data;
        if (!_kinds.TryGetValue(data.Kind, out var kind))
        {
            // Left claimed: a node that knows the kind takes it when the lease ends.
            logger.LogWarning("Notification of unknown kind {Kind} to client {ClientId} left for another node", data.Kind, claimed.ClientId);
            return false;
        }

        NotificationOutcome? outcome;
        if (time.GetUtcNow() >= claimed.ExpiresAt)
        {
            var window = ClientNotificationOutbox.DeliveryWindow.TotalMinutes.ToString(CultureInfo.InvariantCulture);
            outcome = new(false, null, $"not delivered within {window} minutes", data.Attempt - 1);
        }
        else
        {
            outcome = await kind.RetryAsync(claimed.ClientId, data.Fields, data.Next, ct);
            if (outcome is null)
            {
                logger.LogInformation("Notification to client {ClientId} dropped: the client no longer takes it", claimed.ClientId);
                await outbox.TryCompleteAsync(claimed, ct);
                return true;
            }
            if (outcome.Retry is { } retry && time.GetUtcNow() + retry.Wait < claimed.ExpiresAt)
            {
                await outbox.RescheduleAsync(claimed, retry, ct);
                return true;
            }
        }

        // Deleted first, then reported: the node that deletes the row is the one that reports its outcome, once.
        if (await outbox.TryCompleteAsync(claimed, ct))
            await kind.ReportAsync(claimed.ClientId, data.Fields, outcome with { Retry = null }, ct);
        return true;
    }
}

/// <summary>
/// Runs <see cref="ClientNotificationRetries"/> on the host's <see cref="TimeProvider"/>: when the next pending retry is
/// due, when this node schedules one, and at least every <see cref="Interval"/> (retries another node scheduled).
/// </summary>
internal sealed class ClientNotificationRetryService(
    ClientNotificationRetries retries,
    ClientNotificationOutbox outbox,
    TimeProvider time,
    ILogger<ClientNotificationRetryService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // SQLite's "asynchronous" calls complete synchronously: leave the host's start before the first look-up.
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var scheduled = outbox.Scheduled;
                var wait = Interval;
                try
                {
                    await retries.DeliverDueAsync(stoppingToken);
                    if (await outbox.NextDueAsync(stoppingToken) is { } next)
                    {
                        var until = next - time.GetUtcNow();
                        wait = until <= TimeSpan.Zero ? TimeSpan.Zero : until < Interval ? until : Interval;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Looking for notifications to retry failed; trying again in {Wait}", Interval);
                }
                await Task.WhenAny(Task.Delay(wait, time, stoppingToken), scheduled);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
