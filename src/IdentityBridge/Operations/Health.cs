using IdentityBridge.Federation;
using IdentityBridge.Provider.Keys;
using IdentityBridge.RelyingParty;
using IdentityBridge.RelyingParty.Metadata;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Operations;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: database, signing keys and upstream metadata.</summary>
public static class Health
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddBridgeHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<SigningKeysHealthCheck>("signing_keys", tags: [ReadyTag])
            .AddCheck<UpstreamMetadataHealthCheck>("upstream_metadata", tags: [ReadyTag]);
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

/// <summary>Ready only when a published key of the default algorithm can sign: otherwise no token can be issued.</summary>
internal sealed class SigningKeysHealthCheck(SigningKeyStore keys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var algorithm = keys.DefaultAlgorithm;
        return Task.FromResult(keys.HasSigner(algorithm)
            ? HealthCheckResult.Healthy($"{algorithm} signer loaded")
            : HealthCheckResult.Unhealthy($"no usable {algorithm} signing key loaded"));
    }
}

/// <summary>
/// Ready when Xumm's discovery metadata is cached (and not older than the relying party's staleness bound), or
/// can be fetched now. Cached metadata answers from memory; without it the check asks the relying party's own
/// metadata manager, which fetches at most once per retry interval however often the probe runs, and waits for
/// it at most <see cref="MaxWait"/>.
/// </summary>
internal sealed class UpstreamMetadataHealthCheck(IOptionsMonitor<OidcClientOptions> options, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var manager = options.Get(XummSignIn.Scheme).ConfigurationManager;
        if (manager is null) return HealthCheckResult.Unhealthy("no metadata source configured");
        if (manager is IOidcMetadataState { HasUsableMetadata: true }) return HealthCheckResult.Healthy("cached");
        var fetch = manager.GetConfigurationAsync(ct);
        try
        {
            await fetch.WaitAsync(MaxWait, time, ct);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A fetch still running after MaxWait completes on its own; its outcome is observed here.
            _ = fetch.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return HealthCheckResult.Unhealthy("unreachable and nothing cached: " + ex.GetType().Name);
        }
    }
}
