using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class WebhookTests
{
    [Fact]
    public async Task Resolution_is_posted_with_the_platform_body()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync(new { txjson = new { TransactionType = "SignIn" }, custom_meta = new { identifier = "hook-1" } });

        host.State.Approve(uuid, SimulatorHost.Wallet);
        var hook = await host.Webhooks.NextAsync();
        var body = JsonNode.Parse(hook.Body)!.AsObject();
        var userToken = host.State.FindPayload(uuid)!.IssuedUserToken;

        Assert.Equal(new Uri(SimulatorHost.WebhookUrl), hook.Url);
        Assert.Equal(SimulatorHost.WebhookUrl, body["meta"]!["url"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.ApiKey, body["meta"]!["application_uuidv4"]!.GetValue<string>());
        Assert.Equal(uuid, body["meta"]!["payload_uuidv4"]!.GetValue<string>());
        Assert.Equal("hook-1", body["custom_meta"]!["identifier"]!.GetValue<string>());
        Assert.Equal(uuid, body["payloadResponse"]!["payload_uuidv4"]!.GetValue<string>());
        Assert.True(body["payloadResponse"]!["signed"]!.GetValue<bool>());
        Assert.True(body["payloadResponse"]!["user_token"]!.GetValue<bool>());
        Assert.Equal(host.State.FindPayload(uuid)!.ReferenceCallUuid, body["payloadResponse"]!["reference_call_uuidv4"]!.GetValue<string>());
        Assert.Equal(userToken, body["userToken"]!["user_token"]!.GetValue<string>());
        Assert.Equal(host.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds(), body["userToken"]!["token_expiration"]!.GetValue<long>());
    }

    [Fact]
    public async Task Signature_is_hmac_sha1_of_timestamp_and_body_keyed_with_first_hyphen_removed()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();

        host.State.Reject(uuid);
        var hook = await host.Webhooks.NextAsync();
        var timestamp = hook.Headers["x-xumm-request-timestamp"];
        var signature = hook.Headers["x-xumm-request-signature"];

        var firstHyphenRemoved = "cbbbbbbbaaaa-4ccc-8ddd-1234567890ab";
        var allHyphensRemoved = SimulatorHost.ApiSecret.Replace("-", "", StringComparison.Ordinal);
        Assert.Equal(host.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), timestamp);
        Assert.Equal(Hmac(firstHyphenRemoved, timestamp + hook.Body), signature);
        Assert.NotEqual(Hmac(allHyphensRemoved, timestamp + hook.Body), signature);
        Assert.False(JsonNode.Parse(hook.Body)!["payloadResponse"]!["signed"]!.GetValue<bool>());
        Assert.Null(JsonNode.Parse(hook.Body)!["userToken"]);
    }

    [Fact]
    public async Task Failed_delivery_is_retried_after_the_configured_delays()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        host.Webhooks.AnswerNext(HttpStatusCode.InternalServerError);
        host.Webhooks.AnswerNext(HttpStatusCode.Accepted);

        host.State.Approve(uuid, SimulatorHost.Wallet);
        var first = await host.Webhooks.NextAsync();

        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        host.Clock.Advance(TimeSpan.FromSeconds(10));
        var second = await host.Webhooks.NextAsync();

        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(60));
        host.Clock.Advance(TimeSpan.FromSeconds(60));
        var third = await host.Webhooks.NextAsync();

        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Body, third.Body);
        Assert.Equal(
            long.Parse(first.Headers["x-xumm-request-timestamp"], CultureInfo.InvariantCulture) + 10,
            long.Parse(second.Headers["x-xumm-request-timestamp"], CultureInfo.InvariantCulture));
        var attempts = host.State.WebhookAttempts();
        Assert.Equal([false, false, true], attempts.Select(a => a.Delivered));
        Assert.Equal([500, 202, 200], attempts.Select(a => a.StatusCode ?? 0));
    }

    [Fact]
    public async Task Without_a_200_the_platform_retries_four_times_after_10_60_600_and_600_seconds_then_gives_up()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await host.CreatePayloadAsync();
        for (var i = 0; i < 5; i++)
        {
            host.Webhooks.AnswerNext(HttpStatusCode.ServiceUnavailable);
        }

        host.State.Approve(uuid, SimulatorHost.Wallet);
        var deliveries = new List<RecordedWebhook> { await host.Webhooks.NextAsync() };
        foreach (var seconds in new[] { 10, 60, 600, 600 })
        {
            await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(seconds)).WaitAsync(TimeSpan.FromSeconds(30));
            host.Clock.Advance(TimeSpan.FromSeconds(seconds));
            deliveries.Add(await host.Webhooks.NextAsync());
        }

        var timestamps = deliveries.Select(d => long.Parse(d.Headers["x-xumm-request-timestamp"], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([0L, 10, 70, 670, 1270], timestamps.Select(t => t - timestamps[0]));
        Assert.All(deliveries, d => Assert.Equal(deliveries[0].Body, d.Body));
        Assert.Single(deliveries.Select(d => JsonNode.Parse(d.Body)!["payloadResponse"]!["reference_call_uuidv4"]!.GetValue<string>()).Distinct());

        // The fifth failure is the last: nothing is tried any more, however long one waits.
        Assert.True(SpinWait.SpinUntil(() => host.State.WebhookAttempts().Count == 5, TimeSpan.FromSeconds(30)));
        host.Clock.Advance(TimeSpan.FromDays(1));
        Assert.False(host.Webhooks.HasMore);
        Assert.Equal([1, 2, 3, 4, 5], host.State.WebhookAttempts().Select(a => a.Attempt));
        Assert.All(host.State.WebhookAttempts(), a => Assert.False(a.Delivered));
    }

    [Fact]
    public async Task No_answer_within_the_timeout_counts_as_failure()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.WebhookRetryDelays = [TimeSpan.FromSeconds(3)]);
        var uuid = await host.CreatePayloadAsync();
        host.Webhooks.HangNext();

        host.State.Approve(uuid, SimulatorHost.Wallet);
        await host.Webhooks.NextAsync();
        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(15));
        host.Clock.Advance(TimeSpan.FromSeconds(15));
        await host.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        host.Clock.Advance(TimeSpan.FromSeconds(3));
        await host.Webhooks.NextAsync();

        Assert.Equal("timeout", host.State.WebhookAttempts()[0].Failure);
    }

    [Fact]
    public async Task App_without_webhook_url_gets_no_webhook()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var response = await host.PlatformAsync(HttpMethod.Post, "/payload",
            new { txjson = new { TransactionType = "SignIn" } }, SimulatorHost.OtherApiKey, SimulatorHost.OtherApiSecret);
        var uuid = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["uuid"]!.GetValue<string>();

        host.State.Approve(uuid, SimulatorHost.Wallet);
        var other = await host.CreatePayloadAsync();
        host.State.Approve(other, SimulatorHost.Wallet);
        var hook = await host.Webhooks.NextAsync();

        Assert.Equal(other, JsonNode.Parse(hook.Body)!["meta"]!["payload_uuidv4"]!.GetValue<string>());
    }

    private static string Hmac(string key, string message) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message)));
}
