using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class UserinfoTests
{
    [Fact]
    public async Task Userinfo_describes_the_wallet()
    {
        await using var host = await SimulatorHost.StartAsync(o =>
        {
            o.UserBlocked.Add(SimulatorHost.Wallet);
            o.KycApproved.Add(SimulatorHost.Wallet);
        });
        var tokens = await host.TokensAsync(network: "TESTNET");

        var (status, info) = await UserinfoAsync(host, tokens["access_token"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(SimulatorHost.Wallet, info!["sub"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Wallet, info["account"]!.GetValue<string>());
        Assert.Equal($"{SimulatorHost.ApiKey}+{SimulatorHost.Wallet}@xumm.me", info["email"]!.GetValue<string>());
        Assert.True(info["blocked"]!.GetValue<bool>());
        Assert.True(info["kycApproved"]!.GetValue<bool>());
        Assert.False(info["proSubscription"]!.GetValue<bool>());
        Assert.Equal("TESTNET", info["networkType"]!.GetValue<string>());
        Assert.Equal("wss://s.altnet.rippletest.net:51233", info["networkEndpoint"]!.GetValue<string>());
        Assert.Equal(1, info["networkId"]!.GetValue<int>());
        foreach (var field in new[] { "picture", "name", "domain", "source" })
        {
            Assert.True(info.ContainsKey(field), field);
        }
    }

    [Fact]
    public async Task Unlisted_wallet_is_not_blocked()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.UserBlocked.Add(SimulatorHost.OtherWallet));
        var tokens = await host.TokensAsync();

        var (_, info) = await UserinfoAsync(host, tokens["access_token"]!.GetValue<string>());

        Assert.False(info!["blocked"]!.GetValue<bool>());
        Assert.False(info["kycApproved"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        await using var host = await SimulatorHost.StartAsync();
        var tokens = await host.TokensAsync();

        host.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var (status, error) = await UserinfoAsync(host, tokens["access_token"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_token", error!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_bearer_token_is_refused()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/userinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    internal static async Task<(HttpStatusCode Status, JsonObject? Body)> UserinfoAsync(SimulatorHost host, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{SimulatorHost.Prefix}/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonObject>());
    }
}
