using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class FaultTests
{
    [Fact]
    public async Task Rotated_key_replaces_the_published_one()
    {
        await using var host = await SimulatorHost.StartAsync();
        var before = await host.TokensAsync();
        var jwksBefore = await host.Client.GetStringAsync($"{SimulatorHost.Prefix}/certs");

        await SetFaultsAsync(host, new { rotateKey = true });
        var jwksAfter = await host.Client.GetStringAsync($"{SimulatorHost.Prefix}/certs");
        var after = await host.TokensAsync();

        Assert.NotEqual(jwksBefore, jwksAfter);
        Assert.False((await TokenTests.ValidateAgainstJwksAsync(host, before["access_token"]!.GetValue<string>())).IsValid);
        Assert.True((await TokenTests.ValidateAgainstJwksAsync(host, after["access_token"]!.GetValue<string>())).IsValid);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserinfoTests.UserinfoAsync(host, before["access_token"]!.GetValue<string>())).Status);
    }

    [Fact]
    public async Task Unknown_key_tokens_do_not_verify()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { signWithUnknownKey = true });
        var tokens = await host.TokensAsync();

        Assert.False((await TokenTests.ValidateAgainstJwksAsync(host, tokens["access_token"]!.GetValue<string>())).IsValid);
    }

    [Fact]
    public async Task Expired_tokens_fault_issues_tokens_already_past_exp()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { expiredTokens = true });
        var tokens = await host.TokensAsync();
        var claims = TokenTests.Claims(tokens["access_token"]!.GetValue<string>());

        Assert.True(claims["exp"]!.GetValue<long>() < host.Clock.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal(0, tokens["expires_in"]!.GetValue<long>());
    }

    [Fact]
    public async Task Status500_breaks_every_served_endpoint_until_reset()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { status500 = true });
        using var discovery = await host.Client.GetAsync($"{SimulatorHost.Prefix}/.well-known/openid-configuration");
        using var platform = await host.PlatformAsync(HttpMethod.Get, "/ping");
        using var token = await host.TokenAsync("whatever");

        Assert.Equal(HttpStatusCode.InternalServerError, discovery.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, platform.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, token.StatusCode);

        using var reset = await host.Client.DeleteAsync($"{SimulatorHost.Prefix}/_sim/faults");
        using var healthy = await host.Client.GetAsync($"{SimulatorHost.Prefix}/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task Delay_holds_the_answer_until_the_time_has_passed()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { delayMs = 5000 });
        var pending = host.Client.GetAsync($"{SimulatorHost.Prefix}/certs");
        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));

        Assert.False(pending.IsCompleted);
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Blocked_accounts_can_be_added_at_runtime()
    {
        await using var host = await SimulatorHost.StartAsync();
        var tokens = await host.TokensAsync();

        await SetFaultsAsync(host, new { blockedAccounts = new[] { SimulatorHost.Wallet } });
        var (_, info) = await UserinfoTests.UserinfoAsync(host, tokens["access_token"]!.GetValue<string>());

        Assert.True(info!["blocked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Key_id_can_be_switched_on()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { includeKeyId = true });
        var tokens = await host.TokensAsync();
        var jwks = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/certs"))!;

        var kid = TokenTests.Header(tokens["access_token"]!.GetValue<string>())["kid"]!.GetValue<string>();
        Assert.Equal(kid, jwks["keys"]![0]!["kid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ignore_signers_lets_a_wallet_outside_signers_sign_in_and_sign_payloads()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.OtherWallet);
        var refused = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: "signers=" + SimulatorHost.Wallet));
        Assert.Equal("access_denied", refused["error"]);

        await SetFaultsAsync(host, new { ignoreSigners = true });
        var signedIn = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: "signers=" + SimulatorHost.Wallet));
        using var token = await host.TokenAsync(signedIn["code"]);
        var claims = TokenTests.Claims((await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.OtherWallet, claims["sub"]!.GetValue<string>());

        var uuid = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, options = new { signers = new[] { SimulatorHost.Wallet } } });
        Assert.True(host.State.Approve(uuid, SimulatorHost.OtherWallet).Succeeded);
        var details = await host.PlatformJsonAsync(HttpMethod.Get, "/payload/" + uuid);
        Assert.Equal(SimulatorHost.OtherWallet, details["response"]!["account"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ignore_force_network_lets_the_wallet_sign_on_the_network_it_chose()
    {
        await using var host = await SimulatorHost.StartAsync();
        await SetFaultsAsync(host, new { ignoreForceNetwork = true });

        host.State.SetAutoApprove(SimulatorHost.Wallet, "TESTNET", once: true);
        var signedIn = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: "force_network=MAINNET"));
        using var token = await host.TokenAsync(signedIn["code"]);
        var claims = TokenTests.Claims((await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());
        Assert.Equal("TESTNET", claims["network_type"]!.GetValue<string>());

        var uuid = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, options = new { force_network = "XAHAU" } });
        Assert.True(host.State.Approve(uuid, SimulatorHost.Wallet, "MAINNET").Succeeded);
        var details = await host.PlatformJsonAsync(HttpMethod.Get, "/payload/" + uuid);
        Assert.Equal("MAINNET", details["response"]!["environment_nodetype"]!.GetValue<string>());

        using var reset = await host.Client.DeleteAsync($"{SimulatorHost.Prefix}/_sim/faults");
        var pinned = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, options = new { force_network = "XAHAU" } });
        Assert.True(host.State.Approve(pinned, SimulatorHost.Wallet, "MAINNET").Succeeded);
        Assert.Equal("XAHAU", (await host.PlatformJsonAsync(HttpMethod.Get, "/payload/" + pinned))["response"]!["environment_nodetype"]!.GetValue<string>());
    }

    [Fact]
    public async Task Key_id_can_be_put_in_the_token_alone()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { keyIdInToken = true });
        var tokens = await host.TokensAsync();
        var jwks = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/certs"))!;

        Assert.False(string.IsNullOrEmpty(TokenTests.Header(tokens["access_token"]!.GetValue<string>())["kid"]?.GetValue<string>()));
        Assert.False(jwks["keys"]![0]!.AsObject().ContainsKey("kid"));
        Assert.True((await TokenTests.ValidateAgainstJwksAsync(host, tokens["access_token"]!.GetValue<string>())).IsValid);
    }

    [Fact]
    public async Task Key_id_can_be_put_in_the_key_set_alone()
    {
        await using var host = await SimulatorHost.StartAsync();

        await SetFaultsAsync(host, new { keyIdInKeySet = true });
        var tokens = await host.TokensAsync();
        var jwks = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/certs"))!;

        Assert.False(TokenTests.Header(tokens["access_token"]!.GetValue<string>()).ContainsKey("kid"));
        Assert.False(string.IsNullOrEmpty(jwks["keys"]![0]!["kid"]?.GetValue<string>()));
    }

    [Fact]
    public async Task Invalid_fault_requests_are_refused()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/faults", new { blockedAccounts = new[] { "nope" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task SetFaultsAsync(SimulatorHost host, object faults)
    {
        using var response = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/faults", faults);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
