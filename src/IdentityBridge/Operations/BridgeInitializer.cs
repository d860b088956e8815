using IdentityBridge.Clients;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Storage;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Operations;

/// <summary>A step of startup work, run in <see cref="Order"/> before the server listens.</summary>
public interface IBridgeInitializer
{
    /// <summary>0 migrates the database; 100+ for steps that need the schema (clients, keys...).</summary>
    int Order { get; }
    Task InitializeAsync(IServiceProvider services, CancellationToken ct);
}

/// <summary>Applies migrations, then imports the clients declared in configuration.</summary>
internal sealed class DatabaseInitializer : IBridgeInitializer
{
    public int Order => 0;

    public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
    {
        // An empty database has no signing key yet: the first RSA key is generated while the schema is made.
        var keys = services.GetService<SigningKeyStore>();
        var created = false;
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct: ct, beforeApplying: pending =>
        {
            created = pending.Contains(DatabaseMigrator.InitialMigration, StringComparer.Ordinal);
            if (keys is not null && created) keys.PrepareFirstKey();
        });
        await using var scope = services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<IOptions<BridgeOptions>>().Value.Clients;
        // A schema this start created holds no client yet: nothing to compare the declarations with.
        await scope.ServiceProvider.GetRequiredService<ClientImporter>().ImportAsync(clients, ct, storeIsEmpty: created);
    }
}

/// <summary>
/// Runs every <see cref="IBridgeInitializer"/> in the hosts' "starting" phase, before any hosted service
/// (the web server included) starts: the server never answers on a half-initialised database.
/// </summary>
internal sealed class BridgeStartup(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken ct) => services.InitializeIdentityBridgeAsync(ct);
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
