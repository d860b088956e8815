using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Maintenance;

/// <summary>
/// Deletes grants (codes, refresh tokens, markers) a day after they expired: by then a replayed handle fails
/// as unknown just as it would as expired, and no access token of a revoked family is still valid. A family's
/// revocation marker stays while the family has a member that is neither revoked nor expired: such a member was
/// stored after the revocation had updated the family's rows, and the marker is what refuses it.
/// </summary>
internal sealed class GrantCleanupService(IDbContextFactory<BridgeDbContext> factory, TimeProvider time, ILogger<GrantCleanupService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    public static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await CleanAsync(stoppingToken);
                    if (deleted > 0) logger.LogInformation("Deleted {Count} expired grants", deleted);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Grant cleanup failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    public async Task<int> CleanAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - Grace;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Grants
            .Where(g => g.ExpiresAt < cutoff && g.Type != GrantTypes.DeploymentSecret)
            .Where(g => g.Type != GrantTypes.FamilyRevocation || g.FamilyId == null || !db.Grants.Any(m =>
                m.FamilyId == g.FamilyId && m.Type != GrantTypes.FamilyRevocation && m.RevokedAt == null && m.ExpiresAt > now))
            .ExecuteDeleteAsync(ct);
    }
}
