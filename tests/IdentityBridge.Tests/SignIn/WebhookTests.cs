using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.Webhooks;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

public sealed class WebhookTests
{
    /// <summary>A host where only the webhooks of a test resolve payloads: no simulator webhooks, no websockets, no follower.</summary>
    /// <summary>A QR sign-in (its request id and payload) approved in the simulator, and the body of the webhook delivery that reports it.</summary>
    private static async Task<(string Id, string Uuid, string Body)> ApprovedSignInAsync(SignInHost host)
    {
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        host.Simulator.Approve(uuid, XrplAddress.CreateRandom());
        return (id, uuid, Body(uuid, host.Simulator.FindPayload(uuid)!.ReferenceCallUuid!));
    }

    private static SignInHost QuietHost()
    {
        var host = new SignInHost { RefuseWebSockets = true };
        host.Settings["Xumm:Payload:MaxFollowedPayloads"] = "0";
        host.MoreServices = services => services.PostConfigure<XummSimulator.XummSimulatorOptions>(o =>
        {
            foreach (var app in o.Apps) app.WebhookUrl = null;
        });
        return host;
    }

    [Fact]
    public async Task A_signed_delivery_is_read_back_before_the_request_moves_and_its_user_token_is_kept()
    {
        await using var host = QuietHost();
        var wallet = XrplAddress.CreateRandom();
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        host.Simulator.Approve(uuid, wallet);
        var payload = host.Simulator.FindPayload(uuid)!;

        var processed = ProcessedAsync(host);
        using var response = await PostAsync(host, Body(uuid, payload.ReferenceCallUuid!, userToken: payload.IssuedUserToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await processed;

        var request = await host.RequestAsync(id);
        Assert.Equal(SignInStatuses.Signed, request.Status);
        Assert.Equal(wallet, request.Wallet);
        var delivery = Assert.Single(await host.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().ToListAsync()));
        Assert.Equal(payload.ReferenceCallUuid, delivery.ReferenceCallUuid);
        Assert.NotNull(delivery.ProcessedAt);
    }

    [Fact]
    public async Task For_a_known_wallet_the_token_expiry_of_the_delivery_is_stored()
    {
        await using var host = QuietHost();
        var wallet = XrplAddress.CreateRandom();
        var browser = host.CreateBrowser();
        var (_, first) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        host.Simulator.Approve((await host.RequestAsync(first)).PayloadUuid!, wallet);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/signin/complete/" + first)).StatusCode);
        Assert.Single(await host.WithDbAsync(db => db.Sessions.ToListAsync()));

        host.Clock.Advance(TimeSpan.FromDays(1));
        var (_, second) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(second)).PayloadUuid!;
        host.Simulator.Approve(uuid, wallet);
        var payload = host.Simulator.FindPayload(uuid)!;
        var reported = host.Clock.GetUtcNow().AddDays(29).AddHours(3);

        var processed = ProcessedAsync(host);
        await PostAsync(host, Body(uuid, payload.ReferenceCallUuid!, userToken: payload.IssuedUserToken, tokenExpiration: reported));
        await processed;

        var token = Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        Assert.Equal(reported.ToUnixTimeSeconds(), token.ExpiresAt.ToUnixTimeSeconds());
        Assert.Null(token.RevokedAt);
    }

    [Fact]
    public async Task A_repeated_delivery_answers_200_and_does_nothing()
    {
        await using var host = QuietHost();
        var (id, uuid, body) = await ApprovedSignInAsync(host);
        var count = 0;
        host.Services.GetRequiredService<WebhookQueue>().Processed += _ => Interlocked.Increment(ref count);

        var processed = ProcessedAsync(host);
        using var first = await PostAsync(host, body);
        await processed;
        host.Clock.Advance(TimeSpan.FromSeconds(10));                 // the platform's first retry
        using var retry = await PostAsync(host, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Contains("\"duplicate\":true", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task A_retry_after_a_failed_read_back_is_handled_and_stores_the_user_token_once()
    {
        await using var host = QuietHost();
        host.Settings["Xumm:MaxRetries"] = "0";                        // one GET per delivery: the fault is not retried away
        var wallet = XrplAddress.CreateRandom();
        var browser = host.CreateBrowser();
        var (_, first) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        host.Simulator.Approve((await host.RequestAsync(first)).PayloadUuid!, wallet);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/signin/complete/" + first)).StatusCode);
        await host.WithDbAsync(db => db.UserTokens.ExecuteDeleteAsync());   // the wallet is known; its token is the delivery's to bring

        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        host.Simulator.Approve(uuid, wallet);
        var payload = host.Simulator.FindPayload(uuid)!;
        var body = Body(uuid, payload.ReferenceCallUuid!, userToken: payload.IssuedUserToken);

        host.Simulator.UpdateFaults(f => f with { Status500 = true });
        var processed = ProcessedAsync(host);
        using (var response = await PostAsync(host, body)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await processed;
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
        Assert.Empty(await host.WithDbAsync(db => db.UserTokens.ToListAsync()));

        host.Simulator.ResetFaults();
        host.Clock.Advance(TimeSpan.FromSeconds(10));                 // the platform's first retry
        processed = ProcessedAsync(host);
        using (var retry = await PostAsync(host, body))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.DoesNotContain("duplicate", await retry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await processed;

        var request = await host.RequestAsync(id);
        Assert.Equal(SignInStatuses.Signed, request.Status);
        Assert.Equal(wallet, request.Wallet);
        Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync()));
        var delivery = Assert.Single(await host.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().ToListAsync()));
        Assert.NotNull(delivery.ProcessedAt);

        // Later retries of the processed delivery change nothing.
        host.Clock.Advance(TimeSpan.FromSeconds(60));
        using (var late = await PostAsync(host, body))
            Assert.Contains("\"duplicate\":true", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await host.WithDbAsync(db => db.UserTokens.ToListAsync()));
    }

    [Fact]
    public async Task Concurrent_retries_of_one_delivery_are_handled_once()
    {
        await using var host = QuietHost();
        var (id, uuid, body) = await ApprovedSignInAsync(host);
        var count = 0;
        host.Services.GetRequiredService<WebhookQueue>().Processed += _ => Interlocked.Increment(ref count);

        var processed = ProcessedAsync(host);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => PostAsync(host, body)));
        await processed;

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Equal(3, bodies.Count(b => b.Contains("\"duplicate\":true", StringComparison.Ordinal)));
        Assert.Equal(SignInStatuses.Signed, (await host.RequestAsync(id)).Status);
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task The_key_without_any_hyphen_is_accepted_too()
    {
        await using var host = QuietHost();
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        host.Simulator.Approve(uuid, XrplAddress.CreateRandom());

        var processed = ProcessedAsync(host);
        using var response = await PostAsync(host, Body(uuid, host.Simulator.FindPayload(uuid)!.ReferenceCallUuid!),
            key: XummWebhookSignature.AllHyphensRemovedKey(BridgeFactory.XummApiSecret));
        await processed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SignInStatuses.Signed, (await host.RequestAsync(id)).Status);
    }

    [Fact]
    public async Task A_delivery_whose_payload_is_read_back_without_meta_is_answered_and_left_to_the_retry()
    {
        await using var host = QuietHost();
        var replies = new ReplacedReplies();
        var quiet = host.MoreServices;
        host.MoreServices = services =>
        {
            quiet?.Invoke(services);
            replies.AddTo(services);
        };
        var (id, _, body) = await ApprovedSignInAsync(host);
        replies.Replace("GET payload", $$"""{ "meta": null, "application": { "uuidv4": "{{BridgeFactory.XummApiKey}}" }, "response": null }""");

        var processed = ProcessedAsync(host);
        using var response = await PostAsync(host, body);
        await processed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
        Assert.DoesNotContain(host.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
        // Not marked processed: the platform's retry of the delivery is handled, not taken for a repeat.
        Assert.Empty(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
    }

    public static TheoryData<string> Refusals => ["forged", "stale", "future", "missing", "malformed"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Unsigned_forged_or_stale_deliveries_are_refused_with_401_and_change_nothing(string kind)
    {
        await using var host = QuietHost();
        var (id, uuid, body) = await ApprovedSignInAsync(host);
        var now = host.Clock.GetUtcNow();

        using var response = kind switch
        {
            "forged" => await PostAsync(host, body, key: XummWebhookSignature.DocumentedKey("00000000-1111-4222-8333-444444444444")),
            "stale" => await PostAsync(host, body, at: now - TimeSpan.FromMinutes(6)),
            "future" => await PostAsync(host, body, at: now + TimeSpan.FromMinutes(6)),
            "malformed" => await PostRawAsync(host, body, "not-a-number", "zz"),
            _ => await PostRawAsync(host, body, null, null),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
        var refused = Assert.Single(await host.AuditAsync(SignInAuditTypes.WebhookRefused));
        Assert.False(refused.Success);
    }

    [Fact]
    public async Task A_flood_of_unsigned_deliveries_is_not_attributed_to_xumm_and_writes_a_bounded_number_of_audit_events()
    {
        await using var host = QuietHost();

        for (var i = 0; i < 40; i++)
        {
            using var response = await PostRawAsync(host, "{}", null, null);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var refused = await host.AuditAsync(SignInAuditTypes.WebhookRefused);
        Assert.InRange(refused.Count, 1, 10);
        Assert.All(refused, e => Assert.Equal("anonymous", e.Actor));
    }

    [Fact]
    public async Task A_delivery_about_another_application_is_refused_with_403()
    {
        await using var host = QuietHost();
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        host.Simulator.Approve(uuid, XrplAddress.CreateRandom());

        using var response = await PostAsync(host, Body(uuid, host.Simulator.FindPayload(uuid)!.ReferenceCallUuid!, application: "11111111-2222-4333-8444-555555555555"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
        Assert.Equal("foreign_application", Assert.Single(await host.AuditAsync(SignInAuditTypes.WebhookRefused)).Reason);
    }

    [Fact]
    public async Task A_delivery_claiming_a_signature_the_platform_does_not_confirm_changes_nothing()
    {
        await using var host = QuietHost();
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;

        var processed = ProcessedAsync(host);
        using var response = await PostAsync(host, Body(uuid, Guid.NewGuid().ToString(), userToken: Guid.NewGuid().ToString()));
        await processed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = await host.RequestAsync(id);
        Assert.Equal(SignInStatuses.Pending, request.Status);
        Assert.Null(request.Wallet);
        Assert.Empty(await host.WithDbAsync(db => db.UserTokens.ToListAsync()));
    }

    [Fact]
    public async Task The_simulator_s_own_deliveries_reach_the_receiver()
    {
        await using var host = new SignInHost { RefuseWebSockets = true };
        host.Settings["Xumm:Payload:MaxFollowedPayloads"] = "0";
        var (_, id) = await SignInHost.StartAsync(host.CreateBrowser(), SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;

        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve(uuid, XrplAddress.CreateRandom());
        await signed;

        var delivery = Assert.Single(await host.WithDbAsync(db => db.WebhookDeliveries.AsNoTracking().ToListAsync()));
        Assert.Equal(uuid, delivery.PayloadUuid);
        Assert.Equal(host.Simulator.FindPayload(uuid)!.ReferenceCallUuid, delivery.ReferenceCallUuid);
    }

    [Fact]
    public async Task A_signature_over_other_bytes_than_those_received_is_refused_even_when_they_decode_alike()
    {
        await using var host = QuietHost();
        var (id, _, body) = await ApprovedSignInAsync(host);
        // Signed with U+FFFD (EF BF BD) in a string; sent with the single byte FF there, which a lossy UTF-8 decoding reads as U+FFFD.
        var signed = body.Replace("\"instruction\":null", "\"instruction\":\"\uFFFD\"", StringComparison.Ordinal);
        var sent = Replace(Encoding.UTF8.GetBytes(signed), [0xEF, 0xBF, 0xBD], [0xFF]);
        var timestamp = host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = XummWebhookSignature.Compute(XummWebhookSignature.DocumentedKey(BridgeFactory.XummApiSecret), timestamp, signed);

        using var response = await PostBytesAsync(host, sent, timestamp, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
    }

    [Fact]
    public async Task A_delivery_signed_over_its_bytes_that_are_not_utf8_passes_the_signature_and_is_refused_as_malformed()
    {
        await using var host = QuietHost();
        var (id, _, body) = await ApprovedSignInAsync(host);
        var sent = Replace(Encoding.UTF8.GetBytes(body.Replace("\"instruction\":null", "\"instruction\":\"#\"", StringComparison.Ordinal)), [(byte)'#'], [0xFF]);
        var timestamp = host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Encoding.UTF8.GetBytes(XummWebhookSignature.DocumentedKey(BridgeFactory.XummApiSecret));
        byte[] message = [.. Encoding.ASCII.GetBytes(timestamp), .. sent];
        var signature = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA1.HashData(key, message));

        using var response = await PostBytesAsync(host, sent, timestamp, signature);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await host.WithDbAsync(db => db.WebhookDeliveries.ToListAsync()));
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);
        Assert.Equal("malformed", Assert.Single(await host.AuditAsync(SignInAuditTypes.WebhookRefused)).Reason);
    }

    [Fact]
    public async Task Deliveries_about_payloads_without_a_pending_sign_in_leave_nothing_behind_in_the_poll_gate()
    {
        await using var host = QuietHost();
        var (id, uuid, body) = await ApprovedSignInAsync(host);
        var gate = host.Services.GetRequiredService<PayloadPollGate>();

        var processed = ProcessedAsync(host);
        using (var first = await PostAsync(host, body)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await processed;
        Assert.Equal(SignInStatuses.Signed, (await host.RequestAsync(id)).Status);

        // Another delivery about the payload of the resolved request, and one about a payload the platform does not know.
        foreach (var payload in new[] { uuid, Guid.NewGuid().ToString() })
        {
            processed = ProcessedAsync(host);
            using var response = await PostAsync(host, Body(payload, Guid.NewGuid().ToString()));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await processed;
        }

        Assert.Equal(0, gate.Count);
    }

    private static byte[] Replace(byte[] bytes, byte[] find, byte[] with)
    {
        var at = bytes.AsSpan().IndexOf(find);
        Assert.True(at >= 0);
        return [.. bytes.AsSpan(0, at), .. with, .. bytes.AsSpan(at + find.Length)];
    }

    private static async Task<HttpResponseMessage> PostBytesAsync(SignInHost host, byte[] body, string timestamp, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookEndpoint.Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(XummWebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(XummWebhookSignature.SignatureHeader, signature);
        return await host.CreateApiClient().SendAsync(request);
    }

    internal static string Body(string payloadUuid, string referenceCall, string? userToken = null, DateTimeOffset? tokenExpiration = null,
        string application = BridgeFactory.XummApiKey) => new JsonObject
    {
        ["meta"] = new JsonObject
        {
            ["url"] = "http://localhost/xumm/webhook",
            ["application_uuidv4"] = application,
            ["payload_uuidv4"] = payloadUuid,
            ["opened_by_deeplink"] = false,
        },
        ["custom_meta"] = new JsonObject { ["identifier"] = null, ["blob"] = null, ["instruction"] = null },
        ["payloadResponse"] = new JsonObject
        {
            ["payload_uuidv4"] = payloadUuid,
            ["reference_call_uuidv4"] = referenceCall,
            ["signed"] = true,
            ["user_token"] = userToken is not null,
            ["return_url"] = new JsonObject { ["app"] = null, ["web"] = null },
            ["txid"] = "AB",
        },
        ["userToken"] = userToken is null ? null : new JsonObject
        {
            ["user_token"] = userToken,
            ["token_issued"] = 1_700_000_000,
            ["token_expiration"] = (tokenExpiration ?? DateTimeOffset.UtcNow.AddDays(30)).ToUnixTimeSeconds(),
        },
    }.ToJsonString();

    private static Task<HttpResponseMessage> PostAsync(SignInHost host, string body, string? key = null, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? host.Clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = XummWebhookSignature.Compute(key ?? XummWebhookSignature.DocumentedKey(BridgeFactory.XummApiSecret), timestamp, body);
        return PostRawAsync(host, body, timestamp, signature);
    }

    private static async Task<HttpResponseMessage> PostRawAsync(SignInHost host, string body, string? timestamp, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookEndpoint.Path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (timestamp is not null) request.Headers.Add(XummWebhookSignature.TimestampHeader, timestamp);
        if (signature is not null) request.Headers.Add(XummWebhookSignature.SignatureHeader, signature);
        return await host.CreateApiClient().SendAsync(request);
    }

    private static Task ProcessedAsync(SignInHost host)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<WebhookQueue>().Processed += _ => done.TrySetResult();
        return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
