using System.Net;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Foundation;

/// <summary>Bridge:RateLimits: a budget per address and a separate, larger one per client; beyond either, 429 with Retry-After.</summary>
public sealed class RateLimitTests
{
    private static (BridgeFactory Host, PeerAddress Peer) Create(int perAddress, int perClient)
    {
        var peer = new PeerAddress();
        var host = new BridgeFactory { ConfigureTestServices = peer.Register };
        host.Settings["Bridge:RateLimits:Enabled"] = "true";
        host.Settings["Bridge:RateLimits:PermitsPerMinute"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture);
        host.Settings["Bridge:RateLimits:PermitsPerMinutePerClient"] = perClient.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (host, peer);
    }

    private static async Task<HttpResponseMessage> AuthorizeAsync(HttpClient client, string peer, string clientId = "some-client") =>
        await client.SendAsync(PeerAddress.Get("/connect/authorize?client_id=" + clientId, peer));

    [Fact]
    public async Task An_address_over_its_budget_gets_429_with_retry_after_and_other_addresses_do_not()
    {
        var (host, _) = Create(perAddress: 2, perClient: 100);
        await using var _host = host;
        var client = host.CreateApiClient();

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.0.1")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.0.1", "other-client")).StatusCode);
        using var limited = await AuthorizeAsync(client, "10.0.0.1", "third-client");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Contains("slow_down", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.0.2")).StatusCode);
        // Endpoints outside the limited set are not counted.
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(PeerAddress.Get("/healthz", "10.0.0.1"))).StatusCode);
    }

    [Fact]
    public async Task A_client_has_its_own_budget_across_addresses()
    {
        var (host, _) = Create(perAddress: 100, perClient: 3);
        await using var _host = host;
        var client = host.CreateApiClient();

        for (var i = 1; i <= 3; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, $"10.0.1.{i}", "busy-client")).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.1.4", "busy-client")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.1.4", "quiet-client")).StatusCode);
    }

    [Fact]
    public async Task Only_the_exact_client_id_parameter_names_a_client()
    {
        // RFC 6749 §3.1: CLIENT_ID is an unknown parameter, not the client's id; it spends no client's budget.
        var (host, _) = Create(perAddress: 100, perClient: 1);
        await using var _host = host;
        var client = host.CreateApiClient();

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.2.1", "busy-client")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(PeerAddress.Get("/connect/authorize?CLIENT_ID=busy-client", "10.0.2.2"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AuthorizeAsync(client, "10.0.2.3", "busy-client")).StatusCode);
    }

    [Fact]
    public async Task The_pushed_authorization_endpoint_is_limited_like_the_token_endpoint()
    {
        // Per address, and per client named by its HTTP Basic credentials, as at /connect/token.
        var (host, _) = Create(perAddress: 2, perClient: 3);
        await using var _host = host;
        var client = host.CreateApiClient();

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PushAsync(client, "10.0.3.1", "par-client")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PushAsync(client, "10.0.3.1", "par-other")).StatusCode);
        using var limited = await PushAsync(client, "10.0.3.1", "par-third");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("slow_down", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PushAsync(client, "10.0.3.2", "par-client")).StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await PushAsync(client, "10.0.3.3", "par-client")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PushAsync(client, "10.0.3.4", "par-client")).StatusCode);
    }

    private static Task<HttpResponseMessage> PushAsync(HttpClient client, string peer, string clientId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["response_type"] = "code" }),
        };
        request.Headers.Add(PeerAddress.Header, peer);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(clientId + ":secret")));
        return client.SendAsync(request);
    }

    [Fact]
    public void The_client_budget_is_larger_than_the_address_budget_by_default()
    {
        var defaults = new IdentityBridge.Configuration.RateLimitOptions();
        Assert.True(defaults.PermitsPerMinutePerClient > defaults.PermitsPerMinute);
    }
}
