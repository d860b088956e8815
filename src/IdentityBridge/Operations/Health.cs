using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IdentityBridge.Operations;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: database, signing keys and upstream metadata.</summary>
public static class Health
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddBridgeHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false, ResponseWriter = WriteAsync }).DisableRateLimiting();
        app.MapHealthChecks("/readyz", new() { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).DisableRateLimiting();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}

internal sealed class DatabaseHealthCheck(IDbContextFactory<BridgeDbContext> factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy("reachable")
                : HealthCheckResult.Unhealthy("unreachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("unreachable: " + ex.GetType().Name);
        }
    }
}
