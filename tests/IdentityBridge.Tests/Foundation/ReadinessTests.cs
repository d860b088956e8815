using System.Net;
using System.Text.Json;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Federation;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Foundation;

/// <summary>/readyz: database reachable, a signing key loaded, Xumm's metadata reachable or cached.</summary>
public sealed class ReadinessTests
{
    internal static async Task<(HttpStatusCode Status, JsonElement Checks)> ReadyAsync(BridgeFactory host)
    {
        using var response = await host.CreateApiClient().GetAsync("/readyz");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.GetProperty("checks").Clone());
    }

    private static string StatusOf(JsonElement checks, string name) => checks.GetProperty(name).GetProperty("status").GetString()!;

    /// <summary>
    /// Probes as an orchestrator does, until ready or 30 s have passed. The first fetch of Xumm's metadata
    /// after start may outlast one probe's wait (<c>UpstreamMetadataHealthCheck.MaxWait</c>) on a busy
    /// machine; it goes on in the background and a later probe finds it cached.
    /// </summary>
    internal static async Task<(HttpStatusCode Status, JsonElement Checks)> ReadyEventuallyAsync(BridgeFactory host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, checks) = await ReadyAsync(host);
            if (status == HttpStatusCode.OK || DateTime.UtcNow > deadline) return (status, checks);
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Ready_when_database_keys_and_metadata_are_there()
    {
        await using var host = new BridgeFactory();

        var (status, checks) = await ReadyEventuallyAsync(host);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", StatusOf(checks, "database"));
        Assert.Equal("Healthy", StatusOf(checks, "signing_keys"));
        Assert.Equal("Healthy", StatusOf(checks, "upstream_metadata"));
    }

    [Fact]
    public async Task Not_ready_without_a_signing_key()
    {
        await using var host = new BridgeFactory();
        _ = host.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await ReadyEventuallyAsync(host)).Status);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            await db.SigningKeys.ExecuteDeleteAsync();
        }
        await host.Services.GetRequiredService<SigningKeyStore>().ReloadAsync();

        var (status, checks) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", StatusOf(checks, "signing_keys"));
        Assert.Equal("Healthy", StatusOf(checks, "database"));
    }

    [Fact]
    public async Task Not_ready_while_metadata_was_never_fetched_and_cannot_be_and_probes_do_not_hammer_xumm()
    {
        var probe = new UpstreamProbe { MetadataDown = true };
        await using var host = new BridgeFactory { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };

        var (status, checks) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", StatusOf(checks, "upstream_metadata"));
        Assert.Equal("Healthy", StatusOf(checks, "signing_keys"));
        var attempts = probe.CallsTo("/.well-known/openid-configuration");
        Assert.True(attempts >= 1, "the probe tried to fetch the metadata");

        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadyAsync(host)).Status);
        Assert.Equal(attempts, probe.CallsTo("/.well-known/openid-configuration"));

        probe.MetadataDown = false;
        host.Clock.Advance(TimeSpan.FromSeconds(30)); // past the retry interval
        Assert.Equal(HttpStatusCode.OK, (await ReadyEventuallyAsync(host)).Status);
    }

    [Fact]
    public async Task Ready_on_cached_metadata_while_xumm_is_down_without_asking_it()
    {
        var probe = new UpstreamProbe();
        await using var host = new BridgeFactory { ConfigureTestServices = s => s.AddHttpClient("xumm").AddHttpMessageHandler(probe.CreateHandler) };
        Assert.Equal(HttpStatusCode.OK, (await ReadyEventuallyAsync(host)).Status);
        var fetched = probe.Calls.Values.Sum();

        probe.MetadataDown = true;
        for (var i = 0; i < 5; i++)
        {
            var (status, checks) = await ReadyAsync(host);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("cached", checks.GetProperty("upstream_metadata").GetProperty("description").GetString());
        }
        Assert.Equal(fetched, probe.Calls.Values.Sum());
    }
}
