using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentityBridge.Xumm;

namespace IdentityBridge.EndToEnd.SignIn;

/// <summary>
/// The bridge-hosted sign-in through real processes: a QR sign-in followed over the payload websocket, push for a
/// returning user, fallback to QR when the user token was revoked or expired, webhooks (retries, refusals), CIBA (poll,
/// ping, expiry) and xApps.
/// The bridge must never print the API secret.
/// </summary>
public sealed class PayloadSignInTests(SignInProcesses processes) : IClassFixture<SignInProcesses>
{
    [Fact]
    public async Task A_qr_sign_in_ends_in_a_session()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();

        var (path, id) = await SignInProcesses.StartAsync(browser);
        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var page = await browser.GetStringAsync(path);
        Assert.Contains("data:image/png;base64,", page, StringComparison.Ordinal);
        var payload = await processes.PayloadOfAsync(id);
        Assert.Contains($"{processes.SimulatorUrl}/sign/{payload.GetProperty("uuid").GetString()}", page, StringComparison.Ordinal);
        Assert.False(payload.GetProperty("pushed").GetBoolean());

        await processes.ApproveAsync(payload.GetProperty("uuid").GetString()!, wallet);
        var state = await SignInProcesses.WaitForStatusAsync(browser, id, "signed");
        using var done = await browser.GetAsync(state.GetProperty("next").GetString());

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/account", done.Headers.Location!.OriginalString);
        using var account = await browser.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains(wallet, await account.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The bridge followed the payload on its status websocket (a real ClientWebSocket), not by polling.
        Assert.DoesNotContain(processes.Bridge.Output, l => l.Contains("websocket of payload " + payload.GetProperty("uuid").GetString(), StringComparison.Ordinal));
        processes.AssertSecretNotPrinted();
    }

    [Fact]
    public async Task A_returning_user_signs_in_by_push()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);

        var (path, id) = await SignInProcesses.StartAsync(browser);

        Assert.StartsWith("/signin/push/", path, StringComparison.Ordinal);
        Assert.Contains("Check your phone", await browser.GetStringAsync(path), StringComparison.Ordinal);
        var payload = await processes.PayloadOfAsync(id);
        Assert.True(payload.GetProperty("pushed").GetBoolean());
        await processes.ApproveAsync(payload.GetProperty("uuid").GetString()!, wallet);
        var state = await SignInProcesses.WaitForStatusAsync(browser, id, "signed");
        using var done = await browser.GetAsync(state.GetProperty("next").GetString());
        Assert.Equal("/account", done.Headers.Location!.OriginalString);
        processes.AssertSecretNotPrinted();
    }

    [Fact]
    public async Task A_revoked_user_token_falls_back_to_the_qr_code()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);
        var tokens = await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/user-tokens");
        var token = tokens.EnumerateArray().Single(t => t.GetProperty("account").GetString() == wallet).GetProperty("userToken").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await processes.Control.DeleteAsync(processes.SimulatorUrl + "/_sim/user-tokens/" + token)).StatusCode);

        var (path, id) = await SignInProcesses.StartAsync(browser);

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        Assert.False((await processes.PayloadOfAsync(id)).GetProperty("pushed").GetBoolean());
        Assert.Contains("data:image/png;base64,", await browser.GetStringAsync(path), StringComparison.Ordinal);
        // The token was dropped: the next start does not even try a push.
        var (next, _) = await SignInProcesses.StartAsync(processes.NewBrowser());
        Assert.StartsWith("/signin/qr/", next, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_user_token_falls_back_to_the_qr_code()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);
        var tokens = await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/user-tokens");
        var token = tokens.EnumerateArray().Single(t => t.GetProperty("account").GetString() == wallet).GetProperty("userToken").GetString();
        // The platform's 30 days run out at once; the bridge still holds the token with the expiry it was told.
        using (var expire = await processes.Control.PostAsync(processes.SimulatorUrl + $"/_sim/user-tokens/{token}/expire", null))
            Assert.Equal(HttpStatusCode.NoContent, expire.StatusCode);

        var (path, id) = await SignInProcesses.StartAsync(browser);

        Assert.StartsWith("/signin/qr/", path, StringComparison.Ordinal);
        var payload = await processes.PayloadOfAsync(id);
        Assert.False(payload.GetProperty("pushed").GetBoolean());
        Assert.Contains("data:image/png;base64,", await browser.GetStringAsync(path), StringComparison.Ordinal);
        // Signing the QR payload brings a new token and ends in a session as usual.
        await processes.ApproveAsync(payload.GetProperty("uuid").GetString()!, wallet);
        var state = await SignInProcesses.WaitForStatusAsync(browser, id, "signed");
        using var done = await browser.GetAsync(state.GetProperty("next").GetString());
        Assert.Equal("/account", done.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_retried_webhook_is_received_twice_and_handled_once()
    {
        using var browser = processes.NewBrowser();
        processes.Proxy.FailFirstAttempt = true;
        try
        {
            var (_, id) = await SignInProcesses.StartAsync(browser, forceQr: true);
            var payload = await processes.PayloadOfAsync(id);
            var uuid = payload.GetProperty("uuid").GetString()!;
            await processes.ApproveAsync(uuid, XrplAddress.CreateRandom());

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            List<ForwardedWebhook> deliveries;
            while ((deliveries = [.. processes.Proxy.Forwarded.Where(f => f.PayloadUuid == uuid)]).Count < 2 && DateTime.UtcNow < deadline)
                await Task.Delay(200);

            Assert.Equal(2, deliveries.Count);
            Assert.Equal(deliveries[0].ReferenceCall, deliveries[1].ReferenceCall);
            Assert.All(deliveries, d => Assert.Equal(200, d.BridgeStatus));
            Assert.Equal(500, deliveries[0].AnsweredStatus);
            Assert.Contains("\"duplicate\":true", deliveries[1].BridgeBody, StringComparison.Ordinal);
            var attempts = (await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/webhooks"))
                .EnumerateArray().Where(a => a.GetProperty("payloadUuid").GetString() == uuid).ToList();
            Assert.Equal([false, true], attempts.Select(a => a.GetProperty("delivered").GetBoolean()));
            await SignInProcesses.WaitForStatusAsync(browser, id, "signed");

            var reference = deliveries[0].ReferenceCall;
            await WaitForLineAsync($"Webhook delivery {reference} for payload {uuid} processed");
            Assert.Single(processes.Bridge.Output, l => l.Contains($"Webhook delivery {reference} for payload {uuid} processed", StringComparison.Ordinal));
            Assert.Single(processes.Bridge.Output, l => l.Contains($"Webhook delivery {reference} for payload {uuid} is a repeat", StringComparison.Ordinal));
        }
        finally
        {
            processes.Proxy.FailFirstAttempt = false;
        }
    }

    [Fact]
    public async Task Forged_stale_and_foreign_webhooks_are_refused()
    {
        using var http = new HttpClient { BaseAddress = new Uri(processes.BridgeUrl) };
        var uuid = Guid.NewGuid().ToString();
        var body = Body(uuid, SignInProcesses.ApiKey);
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWebhookAsync(http, body, "00000000-1111-4222-8333-444444444444", now)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostWebhookAsync(http, body, SignInProcesses.ApiSecret, now - TimeSpan.FromMinutes(10))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostWebhookAsync(http, Body(uuid, "11111111-2222-4333-8444-555555555555"), SignInProcesses.ApiSecret, now)).StatusCode);
        Assert.DoesNotContain(processes.Bridge.Output, l => l.Contains(uuid, StringComparison.Ordinal) && l.Contains("processed", StringComparison.Ordinal));
        processes.AssertSecretNotPrinted();
    }

    [Fact]
    public async Task Ciba_poll_mode_completes_with_tokens()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);
        using var api = new HttpClient { BaseAddress = new Uri(processes.BridgeUrl) };

        using var started = await PostFormAsync(api, "/connect/ciba", new()
        {
            ["scope"] = "openid profile",
            ["login_hint"] = wallet,
            ["binding_message"] = "E2E 1234",
        });
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var json = await started.Content.ReadFromJsonAsync<JsonElement>();
        var authReqId = json.GetProperty("auth_req_id").GetString()!;
        var interval = json.GetProperty("interval").GetInt32();

        var payloads = await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/payloads?status=Pending");
        var payload = payloads.EnumerateArray().Single(p => p.GetProperty("signers").ValueKind == JsonValueKind.Array
            && p.GetProperty("signers")[0].GetString() == wallet);
        Assert.True(payload.GetProperty("pushed").GetBoolean());
        await processes.ApproveAsync(payload.GetProperty("uuid").GetString()!, wallet);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(interval) + TimeSpan.FromMilliseconds(100));
            using var token = await PostFormAsync(api, "/connect/token", new() { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = authReqId });
            var answer = await token.Content.ReadFromJsonAsync<JsonElement>();
            if (token.StatusCode == HttpStatusCode.OK)
            {
                Assert.True(answer.TryGetProperty("id_token", out _));
                break;
            }
            Assert.Equal("authorization_pending", answer.GetProperty("error").GetString());
            Assert.True(DateTime.UtcNow < deadline, "no tokens in time");
        }
        processes.AssertSecretNotPrinted();
    }

    [Fact]
    public async Task Ciba_ping_mode_notifies_the_client_then_the_token_endpoint_answers()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);
        using var api = new HttpClient { BaseAddress = new Uri(processes.BridgeUrl) };
        var notificationToken = "ping-" + Guid.NewGuid().ToString("N");

        using var started = await PostFormAsync(api, "/connect/ciba", new()
        {
            ["scope"] = "openid profile",
            ["login_hint"] = wallet,
            ["binding_message"] = "E2E ping",
            ["client_notification_token"] = notificationToken,
        }, SignInProcesses.CibaPingClient);
        Assert.True(started.StatusCode == HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
        var authReqId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth_req_id").GetString()!;

        var payload = await PendingPayloadSignableByAsync(wallet);
        Assert.True(payload.GetProperty("pushed").GetBoolean());
        Assert.DoesNotContain(processes.Notifications.Received, n => n.Body.Contains(authReqId, StringComparison.Ordinal));
        await processes.ApproveAsync(payload.GetProperty("uuid").GetString()!, wallet);

        var notification = await processes.Notifications.WaitForAsync(authReqId, TimeSpan.FromSeconds(30));
        Assert.Equal("Bearer " + notificationToken, notification.Authorization);
        Assert.StartsWith("application/json", notification.ContentType, StringComparison.Ordinal);
        Assert.Equal(authReqId, JsonDocument.Parse(notification.Body).RootElement.GetProperty("auth_req_id").GetString());

        using var token = await PostFormAsync(api, "/connect/token", new() { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = authReqId },
            SignInProcesses.CibaPingClient);
        var answer = await token.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(token.StatusCode == HttpStatusCode.OK, answer.ToString());
        Assert.True(answer.TryGetProperty("id_token", out _));
        Assert.True(answer.TryGetProperty("access_token", out _));

        using var again = await PostFormAsync(api, "/connect/token", new() { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = authReqId },
            SignInProcesses.CibaPingClient);
        Assert.Equal("invalid_grant", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        processes.AssertSecretNotPrinted();
    }

    [Fact]
    public async Task A_ciba_request_nobody_answers_ends_in_expired_token_after_its_expiry()
    {
        using var browser = processes.NewBrowser();
        var wallet = XrplAddress.CreateRandom();
        await processes.SignInByQrAsync(browser, wallet);
        using var api = new HttpClient { BaseAddress = new Uri(processes.BridgeUrl) };

        using var started = await PostFormAsync(api, "/connect/ciba", new()
        {
            ["scope"] = "openid",
            ["login_hint"] = wallet,
            ["binding_message"] = "E2E expiry",
            ["requested_expiry"] = "30",
        });
        Assert.True(started.StatusCode == HttpStatusCode.OK, await started.Content.ReadAsStringAsync());
        var json = await started.Content.ReadFromJsonAsync<JsonElement>();
        var authReqId = json.GetProperty("auth_req_id").GetString()!;
        Assert.Equal(30, json.GetProperty("expires_in").GetInt32());
        var expiresAt = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var payloadUuid = (await PendingPayloadSignableByAsync(wallet)).GetProperty("uuid").GetString()!;

        var poll = new Dictionary<string, string> { ["grant_type"] = "urn:openid:params:grant-type:ciba", ["auth_req_id"] = authReqId };
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        using (var pending = await PostFormAsync(api, "/connect/token", poll))
            Assert.Equal("authorization_pending", (await pending.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());

        await Task.Delay(expiresAt - DateTime.UtcNow + TimeSpan.FromSeconds(1));
        using var expired = await PostFormAsync(api, "/connect/token", poll);
        var answer = await expired.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        Assert.Equal("expired_token", answer.GetProperty("error").GetString());
        // The bridge gave up on the payload too: the wallet is not left with a request nobody waits for.
        var stillPending = await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/payloads?status=Pending");
        Assert.DoesNotContain(stillPending.EnumerateArray(), p => p.GetProperty("uuid").GetString() == payloadUuid);
    }

    /// <summary>The pending payload only <paramref name="wallet"/> may sign (a CIBA request's push).</summary>
    private async Task<JsonElement> PendingPayloadSignableByAsync(string wallet)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var payloads = await processes.Control.GetFromJsonAsync<JsonElement>(processes.SimulatorUrl + "/_sim/payloads?status=Pending");
            foreach (var p in payloads.EnumerateArray())
                if (p.GetProperty("signers").ValueKind == JsonValueKind.Array && p.GetProperty("signers")[0].GetString() == wallet)
                    return p;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No pending payload for {wallet}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Xapps_sign_in_by_one_time_token_and_by_token_exchange()
    {
        var wallet = XrplAddress.CreateRandom();
        using var ottResponse = await processes.Control.PostAsJsonAsync(processes.SimulatorUrl + "/_sim/xapp/ott", new { account = wallet });
        var ott = (await ottResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ott").GetString();
        using var browser = processes.NewBrowser();
        using var opened = await browser.GetAsync("/xapp?xAppToken=" + ott);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        using var account = await browser.GetAsync("/account");
        Assert.Contains(wallet, await account.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var api = new HttpClient { BaseAddress = new Uri(processes.BridgeUrl) };
        var jwt = XAppJwt.Create(new XAppJwtDescriptor { ApiKey = SignInProcesses.ApiKey, Account = wallet, IssuedAt = DateTimeOffset.UtcNow }, SignInProcesses.ApiSecret);
        using var good = await ExchangeAsync(api, jwt);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var parts = jwt.Split('.');
        using var tampered = await ExchangeAsync(api, parts[0] + "." + parts[1] + "." + new string('A', parts[2].Length));
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        var expired = XAppJwt.Create(new XAppJwtDescriptor { ApiKey = SignInProcesses.ApiKey, Account = wallet, IssuedAt = DateTimeOffset.UtcNow.AddDays(-2) }, SignInProcesses.ApiSecret);
        using var late = await ExchangeAsync(api, expired);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        var foreign = XAppJwt.Create(new XAppJwtDescriptor { ApiKey = "99999999-8888-4777-8666-555555555555", Account = wallet, IssuedAt = DateTimeOffset.UtcNow }, SignInProcesses.ApiSecret);
        using var other = await ExchangeAsync(api, foreign);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        processes.AssertSecretNotPrinted();
    }

    private async Task WaitForLineAsync(string fragment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!processes.Bridge.Output.Any(l => l.Contains(fragment, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "not in the bridge output: " + fragment);
            await Task.Delay(200);
        }
    }

    private static string Body(string payloadUuid, string application) => JsonSerializer.Serialize(new
    {
        meta = new { url = "x", application_uuidv4 = application, payload_uuidv4 = payloadUuid, opened_by_deeplink = false },
        custom_meta = new { },
        payloadResponse = new { payload_uuidv4 = payloadUuid, reference_call_uuidv4 = Guid.NewGuid().ToString(), signed = true, user_token = false },
        userToken = (object?)null,
    });

    private static Task<HttpResponseMessage> PostWebhookAsync(HttpClient http, string body, string secret, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/xumm/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(XummWebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(XummWebhookSignature.SignatureHeader, XummWebhookSignature.Compute(XummWebhookSignature.DocumentedKey(secret), timestamp, body));
        return http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> ExchangeAsync(HttpClient api, string jwt) =>
        PostFormAsync(api, "/connect/token", new()
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = jwt,
            ["subject_token_type"] = "urn:xumm:params:oauth:token-type:xapp-jwt",
        }, SignInProcesses.XAppClient);

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient api, string path, Dictionary<string, string> form, string client = SignInProcesses.CibaClient)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(client + ":" + SignInProcesses.ClientSecret)));
        return api.SendAsync(request);
    }
}
