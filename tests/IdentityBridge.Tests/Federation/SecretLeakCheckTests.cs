using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Federation;

/// <summary>The leak check every BridgeFactory runs on disposal does find a leak.</summary>
public sealed class SecretLeakCheckTests
{
    [Theory]
    [InlineData("as written")]
    [InlineData("first hyphen removed")]
    [InlineData("all hyphens removed")]
    [InlineData("upper case")]
    public async Task A_secret_written_to_a_log_fails_the_host_disposal(string form)
    {
        var host = new FederationHost();
        var secret = BridgeFactory.XummApiSecret;
        var leaked = form switch
        {
            "as written" => secret,
            "first hyphen removed" => secret.Remove(secret.IndexOf('-'), 1),
            "all hyphens removed" => secret.Replace("-", ""),
            _ => secret.ToUpperInvariant(),
        };
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Careless").LogInformation("calling Xumm with {Secret}", leaked);

        var error = await Assert.ThrowsAsync<SecretLeakException>(() => host.DisposeAsync().AsTask());

        Assert.Contains("1 log line(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("calling Xumm with ***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(leaked, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_secret_in_a_response_fails_the_host_disposal()
    {
        var host = new FederationHost();
        _ = host.Services;
        host.Responses.Responses.Enqueue("200 http://localhost/somewhere\nX-Debug: " + BridgeFactory.XummApiSecret.Replace("-", "") + "\n\n");

        var error = await Assert.ThrowsAsync<SecretLeakException>(() => host.DisposeAsync().AsTask());

        Assert.Contains("1 response(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_login_leaks_the_secret_nowhere()
    {
        var host = new FederationHost();
        var hops = await FederationHost.FollowAsync(host.CreateBrowser(), FederationHost.LoginUrl());
        Assert.Equal("/account", hops[^1].Url.AbsolutePath);
        Assert.NotEmpty(host.Logs.Lines);

        await host.DisposeAsync();
    }
}
