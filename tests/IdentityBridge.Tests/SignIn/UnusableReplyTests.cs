using System.Net;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// HTTP 200 answers of the platform that lack a field it must send (here: present, but null) are the platform
/// client's "unusable answer", which the sign-in treats like an unreachable platform: never a 500.
/// </summary>
public sealed class UnusableReplyTests
{
    private const string PayloadWithoutMeta = """
        { "meta": null, "application": { "uuidv4": "0c7a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b" }, "payload": { "tx_type": "SignIn" }, "response": null, "custom_meta": null }
        """;

    private static SignInHost Create(out ReplacedReplies replies)
    {
        replies = new ReplacedReplies();
        var host = new SignInHost { RefuseWebSockets = true, MoreServices = replies.AddTo };
        host.Settings["Xumm:Payload:MaxFollowedPayloads"] = "0";   // only the status poll looks at the payload
        return host;
    }

    [Fact]
    public async Task A_created_payload_without_next_ends_the_start_on_the_unavailable_page()
    {
        await using var host = Create(out var replies);
        replies.Replace("POST payload", """{ "uuid": "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b", "next": null, "refs": null, "pushed": false }""");

        using var response = await SignInHost.SendStartAsync(host.CreateBrowser(), SignInHost.QrStart());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Xumm cannot be reached right now", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_poll_of_a_payload_read_back_without_meta_answers_pending_and_recovers()
    {
        await using var host = Create(out var replies);
        var browser = host.CreateBrowser();
        var (_, id) = await SignInHost.StartAsync(browser, SignInHost.QrStart());
        var uuid = (await host.RequestAsync(id)).PayloadUuid!;
        // Replaced before the approval: the simulator's webhook for it may be read back at any moment after.
        replies.Replace("GET payload", PayloadWithoutMeta);
        Assert.True(host.Simulator.Approve(uuid, XrplAddress.CreateRandom()).Succeeded);

        var status = await QrSignInTests.StatusAsync(browser, id);

        Assert.Equal(SignInStatuses.Pending, status.GetProperty("status").GetString());
        Assert.Equal(SignInStatuses.Pending, (await host.RequestAsync(id)).Status);

        // Once the platform answers properly again, the sign-in completes: the next poll reads the payload, unless
        // the webhook's read-back (its delivery arrives whenever the simulator sends it) took that turn, and then
        // that read-back completes it.
        replies.Replace("GET payload", null);
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        await QrSignInTests.StatusAsync(browser, id);
        await host.WaitForStatusAsync(id, SignInStatuses.Signed, TimeSpan.FromSeconds(10));
        Assert.Equal(SignInStatuses.Signed, (await QrSignInTests.StatusAsync(browser, id)).GetProperty("status").GetString());
    }
}
