using IdentityBridge.Federation.Payload;
using IdentityBridge.Xumm;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.UserTokens;

/// <summary>Every <see cref="PayloadSignInOptions.UserTokenCheckInterval"/>, drops expired and revoked user tokens.</summary>
internal sealed class UserTokenMaintenance(
    IServiceScopeFactory scopes,
    IOptions<PayloadSignInOptions> options,
    TimeProvider time,
    ILogger<UserTokenMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.UserTokenCheckInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var store = scope.ServiceProvider.GetRequiredService<UserTokenStore>();
                    var dropped = await store.SweepAsync(scope.ServiceProvider.GetRequiredService<XummPlatformClient>(), stoppingToken);
                    if (dropped > 0) logger.LogInformation("Dropped {Count} expired or revoked user token(s)", dropped);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "User token sweep failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
