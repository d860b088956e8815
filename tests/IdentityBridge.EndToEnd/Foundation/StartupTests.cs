using System.Diagnostics;
using System.Net;
using IdentityBridge.EndToEnd.Infrastructure;

namespace IdentityBridge.EndToEnd.Foundation;

/// <summary>
/// The start-up bound (15 s from process start to a ready bridge on a fresh database) is a property of the
/// bridge on an otherwise idle machine. Run alongside the other end-to-end classes, which start bridges,
/// simulators and Chromium on the same two cores, a start took 7 to 10 s of test time (3 to 4 s alone), most
/// of it waiting for the cores, so these tests run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}

[Collection(RunsAlone.Name)]
public sealed class StartupTests
{
    [Theory]
    [MemberData(nameof(Databases.Both), MemberType = typeof(Databases))]
    public async Task Fresh_database_starts_ready_within_15_seconds(string provider)
    {
        var port = ProcessHost.FreePort();
        var env = Databases.NewDatabase(provider);
        env["Bridge__Issuer"] = $"http://127.0.0.1:{port}";
        var clock = Stopwatch.StartNew();
        await using var bridge = await ProcessHost.StartAsync("IdentityBridge", env, "/readyz", port);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"ready after {clock.Elapsed}");

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(bridge.BaseUrl + "/.well-known/openid-configuration")).StatusCode);
        // A fresh database: the start applied every migration, from the first one.
        Assert.Contains(bridge.Output, line => line.Contains("database migration(s): 20261121000001_InitialSchema,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_that_fails_ends_the_process_with_status_1_and_the_reason_not_a_crash()
    {
        // The port is taken: the host cannot bind. The process must end as a failed start (status 1, the
        // reason on one line), not as an unhandled exception, which aborts the runtime (status 134, SIGABRT,
        // a core dump where the host allows them) after printing the stack.
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var env = Databases.NewDatabase("Sqlite");
        env["Bridge__Issuer"] = $"http://127.0.0.1:{port}";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessHost.StartAsync("IdentityBridge", env, "/healthz", port));

        Assert.StartsWith("process exited with 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("IdentityBridge could not start: Failed to bind to address", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_that_is_not_a_number_ends_the_process_with_status_1_naming_the_setting()
    {
        // Some settings are read while the application is composed, before the host runs (the rate limits
        // configure the limiter itself): one that cannot be read must end the start like any refused setting.
        var env = Databases.NewDatabase("Sqlite");
        env["Bridge__RateLimits__PermitsPerMinute"] = "lots";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessHost.StartAsync("IdentityBridge", env, "/healthz"));

        Assert.StartsWith("process exited with 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("IdentityBridge could not start:", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bridge:RateLimits:PermitsPerMinute", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_setting_its_validation_refuses_ends_the_process_with_status_1_naming_the_setting()
    {
        // The pipeline is built after the host: building it reads the validated settings (the antiforgery
        // middleware needs data protection, whose key ring is in the database the settings name).
        var env = Databases.NewDatabase("Sqlite");
        env["Bridge__Issuer"] = "login.example.com";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessHost.StartAsync("IdentityBridge", env, "/healthz"));

        Assert.StartsWith("process exited with 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("IdentityBridge could not start:", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bridge:Issuer", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_without_credentials_refuses_to_start_and_names_the_keys()
    {
        var env = Databases.NewDatabase("Sqlite");
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Bridge__Issuer"] = "https://login.example.com";
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessHost.StartAsync("IdentityBridge", env, "/healthz"));
        Assert.Contains("Xumm:ApiKey is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("Xumm:ApiSecret is required", error.Message, StringComparison.Ordinal);
    }
}
