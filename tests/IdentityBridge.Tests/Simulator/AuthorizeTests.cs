using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using XummSimulator;

namespace IdentityBridge.Tests.Simulator;

public sealed partial class AuthorizeTests
{
    [Fact]
    public async Task Auto_approve_redirects_with_code_twice_state_and_nonce()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(nonce: "n-42"));

        Assert.False(string.IsNullOrEmpty(parameters["code"]));
        Assert.Equal(parameters["code"], parameters["authorization_code"]);
        Assert.Equal("st-1", parameters["state"]);
        Assert.Equal("n-42", parameters["nonce"]);
    }

    [Fact]
    public async Task Nonce_is_echoed_only_when_sent()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(nonce: null));

        Assert.False(parameters.ContainsKey("nonce"));
        Assert.True(parameters.ContainsKey("code"));
    }

    [Fact]
    public async Task Unknown_client_gets_an_error_page_not_a_redirect()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.GetAsync(
            $"{SimulatorHost.Prefix}/auth?client_id=99999999-9999-4999-8999-999999999999&redirect_uri={Uri.EscapeDataString(SimulatorHost.RedirectUri)}&response_type=code");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("https://rp.example/callback/extra?x=1", true)]
    [InlineData("https://rp.example/callbackevil", true)]
    [InlineData("https://rp.example/other", false)]
    [InlineData("https://evil.example/callback", false)]
    public async Task Redirect_uri_is_checked_by_prefix_like_the_platform(string redirectUri, bool accepted)
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        using var response = await host.Client.GetAsync(
            $"{SimulatorHost.Prefix}/auth?client_id={SimulatorHost.ApiKey}&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=code&scope=openid");

        Assert.Equal(accepted ? HttpStatusCode.Found : HttpStatusCode.BadRequest, response.StatusCode);
        if (accepted)
        {
            Assert.StartsWith(redirectUri, response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_auto_approve_the_page_shows_qr_deep_link_and_form_without_script()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{SimulatorHost.AuthorizeQuery()}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("src=\"data:image/png;base64,", html, StringComparison.Ordinal);
        Assert.Contains("xumm://xumm.app/sign/", html, StringComparison.Ordinal);
        Assert.Contains($"action=\"{SimulatorHost.Prefix}/auth/decision\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"reject\"", html, StringComparison.Ordinal);
        var prefilled = AccountField().Match(html).Groups[1].Value;
        Assert.Matches("^r[1-9A-HJ-NP-Za-km-z]{24,34}$", prefilled);
        Assert.True(host.State.Payloads().Single().Origin == XummSimulator.Model.PayloadOrigin.OAuth2);
    }

    [Fact]
    public async Task Form_approval_redirects_with_a_code_for_that_wallet()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery());

        using var response = await DecideAsync(host, uuid, "approve", SimulatorHost.OtherWallet, "TESTNET");
        var parameters = SimulatorHost.RedirectParameters(response);
        using var token = await host.TokenAsync(parameters["code"]);
        var claims = TokenTests.Claims((await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());

        Assert.Equal("st-1", parameters["state"]);
        Assert.Equal(SimulatorHost.OtherWallet, claims["sub"]!.GetValue<string>());
        Assert.Equal("TESTNET", claims["network_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Form_rejection_redirects_with_access_denied_and_state()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery());

        using var response = await DecideAsync(host, uuid, "reject", SimulatorHost.Wallet, "MAINNET");
        var parameters = SimulatorHost.RedirectParameters(response);

        Assert.Equal("access_denied", parameters["error"]);
        Assert.Equal("st-1", parameters["state"]);
        Assert.False(parameters.ContainsKey("code"));
    }

    [Fact]
    public async Task Wallet_outside_signers_is_denied()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.OtherWallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: "signers=" + SimulatorHost.Wallet));

        Assert.Equal("access_denied", parameters["error"]);
        Assert.False(parameters.ContainsKey("code"));
    }

    [Fact]
    public async Task Wallet_in_signers_is_accepted()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: $"signers={SimulatorHost.OtherWallet},{SimulatorHost.Wallet}"));

        Assert.True(parameters.ContainsKey("code"));
    }

    [Fact]
    public async Task Force_network_decides_the_network_whatever_the_wallet_chose()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery(extra: "force_network=XAHAU"));

        using var response = await DecideAsync(host, uuid, "approve", SimulatorHost.Wallet, "MAINNET");
        using var token = await host.TokenAsync(SimulatorHost.RedirectParameters(response)["code"]);
        var claims = TokenTests.Claims((await token.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());

        Assert.Equal("XAHAU", claims["network_type"]!.GetValue<string>());
        Assert.Equal(21337, claims["network_id"]!.GetValue<int>());
    }

    [Fact]
    public async Task Continue_after_approval_elsewhere_redirects_once()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery());

        using var pending = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth/continue?payload={uuid}");
        Assert.Equal(HttpStatusCode.OK, pending.StatusCode);

        using var approve = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/payloads/{uuid}/approve", new { account = SimulatorHost.Wallet });
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);

        using var done = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth/continue?payload={uuid}");
        Assert.Equal(HttpStatusCode.Found, done.StatusCode);
        Assert.True(SimulatorHost.RedirectParameters(done).ContainsKey("code"));

        using var again = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth/continue?payload={uuid}");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task One_shot_auto_approve_applies_to_the_next_sign_in_only()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var set = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/auto-approve", new { account = SimulatorHost.Wallet, once = true });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        using var first = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{SimulatorHost.AuthorizeQuery()}");
        using var second = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{SimulatorHost.AuthorizeQuery()}");

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Plain_pkce_is_refused()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(extra: "code_challenge=abcdefghijabcdefghijabcdefghijabcdefghijabcdef&code_challenge_method=plain"));

        Assert.Equal("invalid_request", parameters["error"]);
    }

    internal static async Task<string> OpenSignPageAsync(SimulatorHost host, string query)
    {
        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return host.State.Payloads().Last().Uuid;
    }

    internal static Task<HttpResponseMessage> DecideAsync(SimulatorHost host, string uuid, string action, string account, string network) =>
        host.Client.PostAsync($"{SimulatorHost.Prefix}/auth/decision", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["payload"] = uuid,
            ["action"] = action,
            ["account"] = account,
            ["network"] = network,
        }));

    [GeneratedRegex("name=\"account\" id=\"account\" size=\"40\" value=\"([^\"]+)\"")]
    private static partial Regex AccountField();
}
