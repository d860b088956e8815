using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Admin.Services;

/// <summary>Deletes audit events older than <c>Bridge:Audit:RetentionDays</c>.</summary>
public sealed class AuditRetention(IDbContextFactory<BridgeDbContext> factory, TimeProvider time, IOptions<BridgeOptions> options, ILogger<AuditRetention> logger)
{
    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var days = options.Value.Audit.RetentionDays;
        if (days <= 0) return 0;
        var cutoff = time.GetUtcNow().AddDays(-days);
        await using var db = await factory.CreateDbContextAsync(ct);
        var deleted = await db.AuditEvents.Where(e => e.Time < cutoff).ExecuteDeleteAsync(ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} audit event(s) older than {Days} days", deleted, days);
        return deleted;
    }
}

/// <summary>Runs <see cref="AuditRetention"/> once at start and then every day, on the host's <see cref="TimeProvider"/>.</summary>
internal sealed class AuditRetentionService(AuditRetention retention, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await retention.PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Audit retention run failed; retrying at the next run");
            }
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
