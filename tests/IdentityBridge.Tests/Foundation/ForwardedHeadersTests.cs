using System.Net;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Foundation;

/// <summary>Behind a reverse proxy: forwarded headers believed from configured proxies only; callbacks under the issuer.</summary>
public sealed class ForwardedHeadersTests
{
    private static (BridgeFactory Host, PeerAddress Peer) Create()
    {
        var peer = new PeerAddress();
        var host = new BridgeFactory { ConfigureTestServices = peer.Register };
        host.Settings["Bridge:ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8";
        host.Settings["Bridge:ForwardedHeaders:KnownProxies:0"] = "192.0.2.10";
        return (host, peer);
    }

    private static async Task SendThroughAsync(BridgeFactory host, string peer)
    {
        using var request = PeerAddress.Get("/healthz", peer);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await host.CreateApiClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("10.20.30.40")] // in Bridge:ForwardedHeaders:KnownNetworks
    [InlineData("192.0.2.10")]  // in Bridge:ForwardedHeaders:KnownProxies
    public async Task A_configured_proxy_forwards_the_client_address_and_scheme(string proxy)
    {
        var (host, peer) = Create();
        await using var _ = host;

        await SendThroughAsync(host, proxy);

        Assert.Equal(IPAddress.Parse("203.0.113.7"), peer.LastRemoteIp);
        Assert.Equal("https", peer.LastScheme);
    }

    [Fact]
    public async Task Forwarded_headers_from_any_other_address_are_ignored()
    {
        var (host, peer) = Create();
        await using var _ = host;

        await SendThroughAsync(host, "198.51.100.9");

        Assert.Equal(IPAddress.Parse("198.51.100.9"), peer.LastRemoteIp);
        Assert.Equal("http", peer.LastScheme);
    }

    [Fact]
    public async Task The_upstream_redirect_uri_is_under_the_issuer_whatever_host_the_request_names()
    {
        await using var host = new BridgeFactory();
        var browser = host.CreateDefaultClient(new Uri("http://bridge.internal:8080"));

        using var response = await browser.GetAsync("/login?returnUrl=%2Faccount");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var upstream = response.Headers.Location!;
        Assert.Equal("/xumm-sim/auth", upstream.AbsolutePath);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(upstream.Query);
        Assert.Equal(BridgeFactory.Issuer + "/signin-xumm", query["redirect_uri"].ToString());
    }
}
