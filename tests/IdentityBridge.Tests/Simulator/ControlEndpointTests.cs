using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class ControlEndpointTests
{
    [Fact]
    public async Task Payloads_can_be_listed_approved_and_their_tokens_revoked()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        var pending = (await host.Client.GetFromJsonAsync<JsonArray>($"{SimulatorHost.Prefix}/_sim/payloads?status=pending"))!;
        Assert.Equal(uuid, pending.Single()!["uuid"]!.GetValue<string>());

        using var approve = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/payloads/{uuid}/approve", new { account = SimulatorHost.Wallet, network = "TESTNET" });
        using var again = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/payloads/{uuid}/approve", new { account = SimulatorHost.Wallet });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var token = host.State.FindPayload(uuid)!.IssuedUserToken!;
        using var revoke = await host.Client.DeleteAsync($"{SimulatorHost.Prefix}/_sim/user-tokens/{token}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.False(host.State.FindUserToken(token)!.IsActive(host.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_user_token_can_be_expired_and_then_pushes_no_more()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        Assert.True(host.State.Approve(uuid, SimulatorHost.Wallet).Succeeded);
        var token = host.State.FindPayload(uuid)!.IssuedUserToken!;

        using var expire = await host.Client.PostAsync($"{SimulatorHost.Prefix}/_sim/user-tokens/{token}/expire", null);
        using var unknown = await host.Client.PostAsync($"{SimulatorHost.Prefix}/_sim/user-tokens/no-such-token/expire", null);

        Assert.Equal(HttpStatusCode.NoContent, expire.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var found = host.State.FindUserToken(token)!;
        Assert.False(found.Revoked);
        Assert.False(found.IsActive(host.Clock.GetUtcNow()));
        var tokens = (await host.Client.GetFromJsonAsync<JsonArray>($"{SimulatorHost.Prefix}/_sim/user-tokens"))!;
        Assert.False(tokens.Single(t => t!["userToken"]!.GetValue<string>() == token)!["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Invalid_account_is_a_bad_request_and_unknown_payload_not_found()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        using var invalid = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/payloads/{uuid}/approve", new { account = "rBogus" });
        using var unknown = await host.Client.PostAsync($"{SimulatorHost.Prefix}/_sim/payloads/00000000-0000-4000-8000-000000000000/reject", null);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Control_endpoints_can_be_switched_off()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.EnableControlEndpoints = false);

        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/_sim/payloads");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
