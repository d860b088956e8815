using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class PlatformPayloadTests
{
    [Fact]
    public async Task Wrong_credentials_get_the_platform_error_and_rate_headers()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.PlatformAsync(HttpMethod.Get, "/ping", apiSecret: SimulatorHost.OtherApiSecret);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(813, body!["error"]!["code"]!.GetValue<int>());
        Assert.True(body["error"]!.AsObject().ContainsKey("reference"));
        Assert.True(response.Headers.Contains("X-RateLimit-Limit"));
        Assert.True(response.Headers.Contains("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Created_payload_answers_uuid_next_refs_and_pushed()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.PlatformAsync(HttpMethod.Post, "/payload", new { txjson = new { TransactionType = "SignIn" } });
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var uuid = created["uuid"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("30", response.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("29", response.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.True(Guid.TryParse(uuid, out _));
        Assert.Equal($"{SimulatorHost.Issuer}/sign/{uuid}", created["next"]!["always"]!.GetValue<string>());
        Assert.Equal($"{SimulatorHost.Issuer}/sign/{uuid}_q.png", created["refs"]!["qr_png"]!.GetValue<string>());
        Assert.Equal($"{SimulatorHost.Issuer}/sign/{uuid}_q.json", created["refs"]!["qr_matrix"]!.GetValue<string>());
        Assert.Equal($"ws://localhost{SimulatorHost.Prefix}/sign/{uuid}", created["refs"]!["websocket_status"]!.GetValue<string>());
        Assert.False(created["pushed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Pending_payload_has_the_full_shape()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync(new
        {
            txjson = new { TransactionType = "SignIn" },
            options = new { submit = false, expire = 5, return_url = new { web = "https://rp.example/done?id={id}" } },
            custom_meta = new { identifier = "login-1", instruction = "Sign in please", blob = new { session = "s" } },
        });

        var got = await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}");

        var meta = got["meta"]!.AsObject();
        foreach (var key in new[] { "exists", "uuid", "multisign", "submit", "destination", "resolved_destination", "resolved", "signed", "cancelled", "expired", "pushed", "app_opened", "opened_by_deeplink", "return_url_app", "return_url_web", "is_xapp", "signers" })
        {
            Assert.True(meta.ContainsKey(key), key);
        }

        Assert.False(meta["resolved"]!.GetValue<bool>());
        Assert.Equal($"https://rp.example/done?id={uuid}", meta["return_url_web"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.ApiKey, got["application"]!["uuidv4"]!.GetValue<string>());
        Assert.Null(got["application"]!["issued_user_token"]);
        Assert.Equal("SignIn", got["payload"]!["tx_type"]!.GetValue<string>());
        Assert.Equal(300, got["payload"]!["expires_in_seconds"]!.GetValue<long>());
        Assert.Equal("SignIn", got["payload"]!["request_json"]!["TransactionType"]!.GetValue<string>());
        Assert.Null(got["response"]!["account"]);
        Assert.Equal("login-1", got["custom_meta"]!["identifier"]!.GetValue<string>());
        Assert.Equal("s", got["custom_meta"]!["blob"]!["session"]!.GetValue<string>());
        Assert.Equal("Sign in please", got["custom_meta"]!["instruction"]!.GetValue<string>());
    }

    [Fact]
    public async Task Signed_payload_reports_account_network_and_user_token()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        Assert.True(host.State.Approve(uuid, SimulatorHost.Wallet, "TESTNET").Succeeded);
        var got = await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}");

        Assert.True(got["meta"]!["resolved"]!.GetValue<bool>());
        Assert.True(got["meta"]!["signed"]!.GetValue<bool>());
        Assert.True(got["meta"]!["app_opened"]!.GetValue<bool>());
        Assert.Equal(SimulatorHost.Wallet, got["response"]!["account"]!.GetValue<string>());
        Assert.Equal("TESTNET", got["response"]!["environment_nodetype"]!.GetValue<string>());
        Assert.Equal("wss://s.altnet.rippletest.net:51233", got["response"]!["environment_nodeuri"]!.GetValue<string>());
        Assert.Equal(1, got["response"]!["environment_networkid"]!.GetValue<int>());
        Assert.Matches("^[0-9A-F]{64}$", got["response"]!["txid"]!.GetValue<string>());
        Assert.NotNull(got["application"]!["issued_user_token"]);
    }

    [Fact]
    public async Task Opened_by_deeplink_is_null_until_the_wallet_opens_the_payload_then_says_how()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        var pending = (await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}"))["meta"]!.AsObject();
        host.State.Open(uuid, byDeeplink: true);
        var opened = (await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}"))["meta"]!.AsObject();
        host.State.Approve(uuid, SimulatorHost.Wallet);
        var hook = JsonNode.Parse((await host.Webhooks.NextAsync()).Body)!;

        Assert.True(pending.ContainsKey("opened_by_deeplink"));
        Assert.Null(pending["opened_by_deeplink"]);
        Assert.False(pending["app_opened"]!.GetValue<bool>());
        Assert.True(opened["opened_by_deeplink"]!.GetValue<bool>());
        Assert.True(opened["app_opened"]!.GetValue<bool>());
        Assert.True(hook["meta"]!["opened_by_deeplink"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cancel_marks_a_fresh_payload_cancelled_once()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        var first = await host.PlatformJsonAsync(HttpMethod.Delete, $"/payload/{uuid}");
        var second = await host.PlatformJsonAsync(HttpMethod.Delete, $"/payload/{uuid}");

        Assert.True(first["result"]!["cancelled"]!.GetValue<bool>());
        Assert.Equal("OK", first["result"]!["reason"]!.GetValue<string>());
        Assert.True(first["meta"]!["cancelled"]!.GetValue<bool>());
        Assert.True(first["meta"]!["expired"]!.GetValue<bool>());
        Assert.True(first.ContainsKey("custom_meta"));
        Assert.False(second["result"]!["cancelled"]!.GetValue<bool>());
        Assert.Equal("ALREADY_CANCELLED", second["result"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_opened_payload_cannot_be_cancelled()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        host.State.Open(uuid);

        var answer = await host.PlatformJsonAsync(HttpMethod.Delete, $"/payload/{uuid}");

        Assert.False(answer["result"]!["cancelled"]!.GetValue<bool>());
        Assert.Equal("ALREADY_OPENED", answer["result"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Payload_of_another_app_is_not_found()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        using var response = await host.PlatformAsync(HttpMethod.Get, $"/payload/{uuid}", apiKey: SimulatorHost.OtherApiKey, apiSecret: SimulatorHost.OtherApiSecret);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_bodies_are_refused()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var noTx = await host.PlatformAsync(HttpMethod.Post, "/payload", new { options = new { } });
        using var badSigner = await host.PlatformAsync(HttpMethod.Post, "/payload", new { txjson = new { TransactionType = "SignIn" }, options = new { signers = new[] { "rNotAnAddress" } } });

        Assert.Equal(HttpStatusCode.BadRequest, noTx.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSigner.StatusCode);
    }

    [Fact]
    public async Task Pushed_only_with_a_live_user_token_of_the_same_app()
    {
        await using var host = await SimulatorHost.StartAsync();
        var first = await host.CreatePayloadAsync();
        host.State.Approve(first, SimulatorHost.Wallet);
        var token = host.State.FindPayload(first)!.IssuedUserToken!;

        Assert.True(await PushedAsync(host, token));
        Assert.False(await PushedAsync(host, "00000000-0000-4000-8000-000000000000"));
        Assert.False(await PushedAsync(host, null));

        using var other = await host.PlatformAsync(HttpMethod.Post, "/payload",
            new { txjson = new { TransactionType = "SignIn" }, user_token = token }, SimulatorHost.OtherApiKey, SimulatorHost.OtherApiSecret);
        Assert.False((await other.Content.ReadFromJsonAsync<JsonObject>())!["pushed"]!.GetValue<bool>());

        host.State.RevokeUserToken(token);
        Assert.False(await PushedAsync(host, token));
    }

    [Fact]
    public async Task User_token_expires_thirty_days_after_the_last_signature()
    {
        await using var host = await SimulatorHost.StartAsync();
        var first = await host.CreatePayloadAsync();
        host.State.Approve(first, SimulatorHost.Wallet);
        var token = host.State.FindPayload(first)!.IssuedUserToken!;

        host.Clock.Advance(TimeSpan.FromDays(20));
        var second = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, user_token = token });
        host.State.Approve(second, SimulatorHost.Wallet);
        var renewedAt = host.Clock.GetUtcNow();
        Assert.Equal(token, host.State.FindPayload(second)!.IssuedUserToken);

        host.Clock.Advance(TimeSpan.FromDays(29));
        var stillActive = await CheckTokenAsync(host, token);
        host.Clock.Advance(TimeSpan.FromDays(2));
        var expired = await CheckTokenAsync(host, token);

        Assert.True(stillActive["active"]!.GetValue<bool>());
        Assert.Equal(renewedAt.AddDays(30).ToUnixTimeSeconds(), stillActive["token_expiration"]!.GetValue<long>());
        Assert.False(expired["active"]!.GetValue<bool>());
        Assert.False(await PushedAsync(host, token));
    }

    [Fact]
    public async Task User_tokens_endpoint_reports_unknown_tokens_inactive()
    {
        await using var host = await SimulatorHost.StartAsync();

        var answer = await CheckTokenAsync(host, "00000000-0000-4000-8000-000000000000");

        Assert.False(answer["active"]!.GetValue<bool>());
        Assert.Equal("00000000-0000-4000-8000-000000000000", answer["user_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Payload_creation_is_rate_limited_per_minute()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.PayloadCreationsPerMinute = 2);
        await host.CreatePayloadAsync();
        await host.CreatePayloadAsync();

        using var limited = await host.PlatformAsync(HttpMethod.Post, "/payload", new { txjson = new { TransactionType = "SignIn" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null);
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        using var allowed = await host.PlatformAsync(HttpMethod.Post, "/payload", new { txjson = new { TransactionType = "SignIn" } });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Platform_calls_are_rate_limited_per_api_key_and_minute_with_the_count_in_every_answer()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.ApiCallsPerMinute = 3);
        var remaining = new List<string>();
        foreach (var path in new[] { "/ping", "/payload/00000000-0000-4000-8000-000000000000", "/ping" })
        {
            using var answer = await host.PlatformAsync(HttpMethod.Get, path);
            Assert.Equal("3", answer.Headers.GetValues("X-RateLimit-Limit").Single());
            remaining.Add(answer.Headers.GetValues("X-RateLimit-Remaining").Single());
        }

        using var limited = await host.PlatformAsync(HttpMethod.Get, "/ping");
        var error = (await limited.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.AsObject();
        using var otherApp = await host.PlatformAsync(HttpMethod.Get, "/ping", apiKey: SimulatorHost.OtherApiKey, apiSecret: SimulatorHost.OtherApiSecret);

        Assert.Equal(["2", "1", "0"], remaining);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal("3", limited.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("0", limited.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal(429, error["code"]!.GetValue<int>());
        Assert.True(error.ContainsKey("reference"));
        Assert.True(error.ContainsKey("message"));
        Assert.Equal(HttpStatusCode.OK, otherApp.StatusCode);

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        using var nextMinute = await host.PlatformAsync(HttpMethod.Get, "/ping");
        Assert.Equal(HttpStatusCode.OK, nextMinute.StatusCode);
        Assert.Equal("2", nextMinute.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task Qr_png_is_served_for_a_payload()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/sign/{uuid}_q.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
    }

    private static async Task<bool> PushedAsync(SimulatorHost host, string? token)
    {
        var created = await host.PlatformJsonAsync(HttpMethod.Post, "/payload", new { txjson = new { TransactionType = "SignIn" }, user_token = token });
        return created["pushed"]!.GetValue<bool>();
    }

    private static async Task<JsonObject> CheckTokenAsync(SimulatorHost host, string token)
    {
        var answer = await host.PlatformJsonAsync(HttpMethod.Post, "/user-tokens", new { tokens = new[] { token } });
        return answer["tokens"]!.AsArray().Single()!.AsObject();
    }
}
