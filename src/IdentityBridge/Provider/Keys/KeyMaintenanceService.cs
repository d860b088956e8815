namespace IdentityBridge.Provider.Keys;

/// <summary>Runs <see cref="SigningKeyStore.MaintainAsync"/> every minute: rotation on schedule and reloads after other nodes' changes.</summary>
internal sealed class KeyMaintenanceService(SigningKeyStore store, TimeProvider time, ILogger<KeyMaintenanceService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.MaintainAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Signing key maintenance failed; retrying in {Interval}", Interval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }
}
