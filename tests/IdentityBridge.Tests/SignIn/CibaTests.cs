using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Ciba;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.SignIn;

public sealed class CibaTests
{
    private const string Binding = "Approve login 4711";

    [Fact]
    public async Task Discovery_advertises_the_backchannel_endpoint_modes_and_grant()
    {
        await using var host = new SignInHost();
        var json = JsonDocument.Parse(await host.CreateApiClient().GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal("http://localhost/connect/ciba", json.GetProperty("backchannel_authentication_endpoint").GetString());
        Assert.Equal(["poll", "ping"], json.GetProperty("backchannel_token_delivery_modes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.False(json.GetProperty("backchannel_user_code_parameter_supported").GetBoolean());
        var grants = json.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("urn:openid:params:grant-type:ciba", grants);
        Assert.Contains("urn:ietf:params:oauth:grant-type:token-exchange", grants);
    }

    [Fact]
    public async Task Poll_mode_pushes_to_the_wallet_answers_pending_and_slow_down_then_issues_tokens_once()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var accountId = (await host.SignInByQrAsync(host.CreateBrowser(), wallet)).AccountId!;
        var api = host.CreateApiClient();

        var started = await RequestAsync(api, SignInHost.CibaPollClient, new() { ["login_hint"] = wallet });
        Assert.Equal(HttpStatusCode.OK, started.Status);
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;
        Assert.Equal(300, started.Json.GetProperty("expires_in").GetInt32());
        var interval = started.Json.GetProperty("interval").GetInt32();
        Assert.Equal(5, interval);

        var request = await host.RequestAsync(CibaEndpoint.Id(authReqId));
        Assert.NotEqual(authReqId, request.Id);
        var payload = host.Simulator.FindPayload(request.PayloadUuid!)!;
        Assert.True(payload.Pushed);
        Assert.Equal([wallet], payload.Draft.Signers);
        Assert.Equal($"App {SignInHost.CibaPollClient}: {Binding}", payload.Draft.CustomInstruction);

        var pending = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.Equal("authorization_pending", pending.Error);
        var tooFast = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.Equal("slow_down", tooFast.Error);

        var signed = host.WaitForStatusAsync(request.Id, SignInStatuses.Signed);
        host.Simulator.Approve(request.PayloadUuid!, wallet);
        await signed;
        host.Clock.Advance(TimeSpan.FromSeconds(interval + 5));
        var tokens = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var idToken = new JsonWebToken(tokens.Json.GetProperty("id_token").GetString());
        Assert.Equal(accountId, idToken.Subject);
        Assert.Contains("ciba", idToken.GetPayloadValue<string[]>("amr"));
        var access = new JsonWebToken(tokens.Json.GetProperty("access_token").GetString());
        Assert.Equal(SignInHost.CibaPollClient, access.GetPayloadValue<string>("client_id"));

        host.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.Equal("invalid_grant", again.Error);
    }

    [Fact]
    public async Task Ping_mode_calls_the_client_back_with_its_bearer_token_when_the_user_signs()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();

        var started = await RequestAsync(api, SignInHost.CibaPingClient, new()
        {
            ["login_hint"] = wallet,
            ["client_notification_token"] = "notify-me-8d2f0c6a1b",
        });
        Assert.Equal(HttpStatusCode.OK, started.Status);
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;
        var request = await host.RequestAsync(CibaEndpoint.Id(authReqId));
        Assert.DoesNotContain("notify-me-8d2f0c6a1b", request.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(authReqId, request.Data, StringComparison.Ordinal);

        var ping = host.Pings.NextAsync();
        host.Simulator.Approve(request.PayloadUuid!, wallet);
        var captured = await ping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(SignInHost.NotificationEndpoint, captured.Uri.ToString());
        Assert.Equal("Bearer notify-me-8d2f0c6a1b", captured.Authorization);
        Assert.Equal(authReqId, JsonDocument.Parse(captured.Body).RootElement.GetProperty("auth_req_id").GetString());
        var tokens = await TokenAsync(api, SignInHost.CibaPingClient, authReqId);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Single(host.Pings.Requests);
    }

    [Fact]
    public async Task A_ping_client_unavailable_for_now_is_pinged_again_until_it_answers()
    {
        // A notification endpoint that answers 503 twice (a deployment in progress) still gets the ping, on the third
        // attempt (Bridge:Notifications:Retries 2); the audit trail says it was delivered.
        await using var host = new SignInHost();
        host.Settings["Bridge:Notifications:RetryDelay"] = "00:00:00.050";
        host.Pings.FirstAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);
        host.Pings.FirstAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);
        var notified = await PingedAfterApprovalAsync(host);
        Assert.True(notified.Success, notified.Reason);
        Assert.Equal(3, host.Pings.Requests.Count);
        Assert.All(host.Pings.Requests, p => Assert.Equal("Bearer tok-1", p.Authorization));
    }

    [Fact]
    public async Task A_ping_retry_waits_in_the_database_without_the_bearer_token_or_the_auth_req_id()
    {
        // The retry row refers to the sign-in request, where both secrets stay data protected; the retry reads them
        // from there, so any node can make it.
        await using var host = new SignInHost();
        var (authReqId, row) = await PingRetryPendingAsync(host, "tok-7f3a9c");
        Assert.DoesNotContain("tok-7f3a9c", row.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(authReqId, row.Data, StringComparison.Ordinal);
        Assert.Contains(CibaEndpoint.Id(authReqId), row.Data, StringComparison.Ordinal);

        Assert.Equal(1, await host.DeliverPendingNotificationsAsync());
        Assert.Equal(2, host.Pings.Requests.Count);
        var retry = host.Pings.Requests.Last();
        Assert.Equal("Bearer tok-7f3a9c", retry.Authorization);
        Assert.Equal(authReqId, JsonDocument.Parse(retry.Body).RootElement.GetProperty("auth_req_id").GetString());
        var notified = Assert.Single(await host.AuditAsync(SignInAuditTypes.CibaNotified));
        Assert.True(notified.Success, notified.Reason);
        Assert.Contains("\"attempts\":2", notified.Details, StringComparison.Ordinal);
        Assert.Null(await PendingPingAsync(host));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_ping_retry_goes_to_the_endpoint_the_client_has_then_and_not_to_a_disabled_client(bool enabled)
    {
        // CIBA Core 10.2: the ping goes to the client's registered notification endpoint. An administrator who moves
        // it, or disables the client, between the first attempt and the retry is followed.
        const string moved = "https://backend.example/ciba/moved";
        await using var host = new SignInHost();
        await PingRetryPendingAsync(host, "tok-1");
        await host.WithDbAsync(db => db.Clients.Where(c => c.ClientId == SignInHost.CibaPingClient)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.BackchannelClientNotificationEndpoint, moved).SetProperty(c => c.Enabled, enabled)));

        await host.DeliverPendingNotificationsAsync();

        Assert.Null(await PendingPingAsync(host));
        Assert.Equal(enabled ? [SignInHost.NotificationEndpoint, moved] : [SignInHost.NotificationEndpoint],
            host.Pings.Requests.Select(p => p.Uri.ToString()));
    }

    /// <summary>A ping-mode request approved by its user, whose first ping was answered 503: its retry waits in the database.</summary>
    private static async Task<(string AuthReqId, Grant Row)> PingRetryPendingAsync(SignInHost host, string notificationToken)
    {
        host.Pings.FirstAnswers.Enqueue(HttpStatusCode.ServiceUnavailable);
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();
        var started = await RequestAsync(api, SignInHost.CibaPingClient, new() { ["login_hint"] = wallet, ["client_notification_token"] = notificationToken });
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;

        var ping = host.Pings.NextAsync();
        host.Simulator.Approve((await host.RequestAsync(CibaEndpoint.Id(authReqId))).PayloadUuid!, wallet);
        await ping.WaitAsync(TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        Grant? row;
        while ((row = await PendingPingAsync(host)) is null && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.NotNull(row);
        return (authReqId, row);
    }

    private static Task<Grant?> PendingPingAsync(SignInHost host) =>
        host.WithDbAsync(db => db.Grants.AsNoTracking().FirstOrDefaultAsync(g => g.Type == IdentityBridge.Provider.Tokens.GrantTypes.ClientNotification));

    [Fact]
    public async Task A_ping_answer_is_never_read_beyond_its_status()
    {
        // CIBA Core 10.2: the client answers the ping with a status; whatever body it sends (here 64 MiB) is not
        // buffered by the bridge.
        await using var host = new SignInHost();
        var body = new ZeroStream(64L * 1024 * 1024);
        host.Pings.Answer = HttpStatusCode.OK;
        host.Pings.AnswerContent = () => new StreamContent(body);
        var notified = await PingedAfterApprovalAsync(host);
        Assert.True(notified.Success);
        Assert.True(body.BytesRead < 1024 * 1024, $"{body.BytesRead} bytes of the answer were read");
    }

    /// <summary>A ping-mode request approved by its user, and the audit event of the ping it led to (once it was sent).</summary>
    private static async Task<AuditEvent> PingedAfterApprovalAsync(SignInHost host)
    {
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();
        var started = await RequestAsync(api, SignInHost.CibaPingClient, new() { ["login_hint"] = wallet, ["client_notification_token"] = "tok-1" });
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;

        host.Simulator.Approve((await host.RequestAsync(CibaEndpoint.Id(authReqId))).PayloadUuid!, wallet);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await host.AuditAsync(SignInAuditTypes.CibaNotified)).Count == 0 && DateTime.UtcNow < deadline)
        {
            await host.DeliverPendingNotificationsAsync();
            await Task.Delay(50);
        }
        return Assert.Single(await host.AuditAsync(SignInAuditTypes.CibaNotified));
    }

    [Fact]
    public async Task Ping_mode_also_calls_back_when_the_user_declines()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();
        var started = await RequestAsync(api, SignInHost.CibaPingClient, new() { ["login_hint"] = wallet, ["client_notification_token"] = "tok-1" });
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;

        var ping = host.Pings.NextAsync();
        host.Simulator.Reject((await host.RequestAsync(CibaEndpoint.Id(authReqId))).PayloadUuid!);
        await ping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("access_denied", (await TokenAsync(api, SignInHost.CibaPingClient, authReqId)).Error);
    }

    [Fact]
    public async Task After_expiry_the_token_endpoint_answers_expired_token()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();
        var started = await RequestAsync(api, SignInHost.CibaPollClient, new() { ["login_hint"] = wallet, ["requested_expiry"] = "90" });
        Assert.Equal(90, started.Json.GetProperty("expires_in").GetInt32());
        var authReqId = started.Json.GetProperty("auth_req_id").GetString()!;

        host.Clock.Advance(TimeSpan.FromSeconds(91));
        var expired = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);

        Assert.True(expired.Error == "expired_token", $"{expired.Status} {expired.Json}");
        var request = await host.RequestAsync(CibaEndpoint.Id(authReqId));
        Assert.True(request.Status == SignInStatuses.Expired,
            request.Status + "\n" + string.Join("\n", host.Logs.Lines.Where(l => !l.StartsWith("Information", StringComparison.Ordinal) && !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal))));
        // Signing after our expiry changes nothing.
        host.Simulator.Approve(request.PayloadUuid!, wallet);
        host.Clock.Advance(TimeSpan.FromSeconds(10));
        var late = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.True(late.Error == "expired_token", $"{late.Status} {late.Json}");
    }

    [Fact]
    public async Task A_payload_cancelled_after_the_expiry_still_answers_expired_token()
    {
        await using var host = new SignInHost();
        var (api, _, authReqId, id) = await StartAsync(host, requestedExpiry: "90");

        // Past the request's deadline (the payload itself lives two whole minutes) the payload is cancelled before
        // this poll looks at it, as when the follower or another node gave up on it first: the poll then reads a
        // cancelled payload, and the answer is still expiry, not a refusal.
        host.Clock.Advance(TimeSpan.FromSeconds(91));
        Assert.Equal("OK", host.Simulator.Cancel((await host.RequestAsync(id)).PayloadUuid!));

        var answer = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.True(answer.Error == "expired_token", $"{answer.Status} {answer.Json}");
        Assert.Equal(SignInStatuses.Expired, (await host.RequestAsync(id)).Status);
    }

    [Fact]
    public async Task A_signature_after_the_requested_expiry_does_not_count()
    {
        await using var host = new SignInHost();
        var (api, wallet, authReqId, id) = await StartAsync(host, requestedExpiry: "61");

        // The payload lives a whole minute longer than the request: the user signs in between.
        host.Clock.Advance(TimeSpan.FromSeconds(75));
        var resolved = host.WaitForStatusAsync(id, SignInStatuses.Expired);
        Assert.True(host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, wallet).Succeeded);
        await resolved;

        Assert.Equal("expired_token", (await TokenAsync(api, SignInHost.CibaPollClient, authReqId)).Error);
    }

    [Fact]
    public async Task A_signed_request_is_not_redeemed_once_the_auth_req_id_has_expired()
    {
        await using var host = new SignInHost();
        var (api, wallet, authReqId, id) = await StartAsync(host, requestedExpiry: "90");

        // The user signs in time, but the client comes for the tokens only after expires_in has run out.
        var signed = host.WaitForStatusAsync(id, SignInStatuses.Signed);
        host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, wallet);
        await signed;
        host.Clock.Advance(TimeSpan.FromSeconds(91));

        var late = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.True(late.Error == "expired_token", $"{late.Status} {late.Json}");
        Assert.False(late.Json.TryGetProperty("access_token", out _));
        Assert.NotEqual(SignInStatuses.Completed, (await host.RequestAsync(id)).Status);
    }

    [Fact]
    public async Task A_requested_expiry_beyond_the_integer_range_is_cut_down_like_any_long_one()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);

        var started = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient,
            new() { ["login_hint"] = wallet, ["requested_expiry"] = "99999999999999999999" });

        Assert.True(started.Status == HttpStatusCode.OK, $"{started.Status} {started.Json}");
        Assert.Equal(600, started.Json.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task A_declined_request_answers_access_denied()
    {
        await using var host = new SignInHost();
        var (api, _, authReqId, id) = await StartAsync(host);

        var rejected = host.WaitForStatusAsync(id, SignInStatuses.Rejected);
        host.Simulator.Reject((await host.RequestAsync(id)).PayloadUuid!);
        await rejected;

        Assert.Equal("access_denied", (await TokenAsync(api, SignInHost.CibaPollClient, authReqId)).Error);
    }

    [Fact]
    public async Task A_signed_blob_that_does_not_verify_answers_access_denied()
    {
        await using var host = new SignInHost();
        var (api, wallet, authReqId, id) = await StartAsync(host);
        host.Simulator.UpdateFaults(f => f with { ForgedSignIn = true });

        var failed = host.WaitForStatusAsync(id, SignInStatuses.Failed);
        host.Simulator.Approve((await host.RequestAsync(id)).PayloadUuid!, wallet);
        await failed;

        Assert.Equal("access_denied", (await TokenAsync(api, SignInHost.CibaPollClient, authReqId)).Error);
        Assert.Equal("The signature does not verify.", Assert.Single(await host.WaitForAuditAsync(SignInAuditTypes.PayloadRefused)).Reason);
    }

    [Fact]
    public async Task A_ciba_access_token_stays_refused_after_its_account_is_disabled_and_enabled_again()
    {
        // No code and no refresh token stands for a CIBA token (scope without offline_access): disabling the account
        // must still reach it, as it reaches tokens of the code flow, or enabling it again would bring it back.
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var accountId = (await host.SignInByQrAsync(host.CreateBrowser(), wallet)).AccountId!;
        var api = host.CreateApiClient();
        var authReqId = (await RequestAsync(api, SignInHost.CibaPollClient, new() { ["login_hint"] = wallet })).Json.GetProperty("auth_req_id").GetString()!;
        var request = await host.RequestAsync(CibaEndpoint.Id(authReqId));
        var signed = host.WaitForStatusAsync(request.Id, SignInStatuses.Signed);
        host.Simulator.Approve(request.PayloadUuid!, wallet);
        await signed;
        var tokens = await TokenAsync(api, SignInHost.CibaPollClient, authReqId);
        Assert.False(tokens.Json.TryGetProperty("refresh_token", out _));
        var access = tokens.Json.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await UserInfoStatusAsync(api, access));

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<IdentityBridge.Admin.Services.AccountAdminService>();
            Assert.True((await accounts.SetEnabledAsync(accountId, false, "test-admin")).Ok);
            Assert.True((await accounts.SetEnabledAsync(accountId, true, "test-admin")).Ok);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await UserInfoStatusAsync(api, access));
    }

    private static async Task<HttpStatusCode> UserInfoStatusAsync(HttpClient api, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await api.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_account_id_works_as_login_hint()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var accountId = (await host.SignInByQrAsync(host.CreateBrowser(), wallet)).AccountId!;

        var started = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = accountId });

        Assert.Equal(HttpStatusCode.OK, started.Status);
        var request = await host.RequestAsync(CibaEndpoint.Id(started.Json.GetProperty("auth_req_id").GetString()!));
        Assert.Equal([wallet], host.Simulator.FindPayload(request.PayloadUuid!)!.Draft.Signers);
    }

    [Fact]
    public async Task Another_client_cannot_redeem_the_auth_req_id()
    {
        await using var host = new SignInHost();
        var (api, _, authReqId, _) = await StartAsync(host);

        Assert.Equal("invalid_grant", (await TokenAsync(api, SignInHost.CibaPingClient, authReqId)).Error);
        Assert.Equal("invalid_grant", (await TokenAsync(api, SignInHost.CibaPollClient, authReqId + "x")).Error);
    }

    [Fact]
    public async Task A_revoked_user_token_makes_the_user_unreachable_and_is_dropped()
    {
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        host.Simulator.RevokeUserToken(host.Simulator.UserTokens().Single(t => t.Account == wallet).Token);

        var answer = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = wallet });

        Assert.Equal("unknown_user_id", answer.Error);
        Assert.NotNull(Assert.Single(await host.WithDbAsync(db => db.UserTokens.AsNoTracking().ToListAsync())).RevokedAt);
        var payload = host.Simulator.Payloads().Last();
        Assert.True(payload.Cancelled);
    }

    [Fact]
    public async Task A_login_hint_with_control_characters_is_refused_not_a_500()
    {
        // PostgreSQL refuses a NUL byte in text: a form holding one is refused before any lookup (invalid_request);
        // other control characters name no account (unknown_user_id).
        await using var host = new SignInHost();
        var nul = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = "acc\u0000ount" });
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (nul.Status, nul.Error));
        var escape = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = "r\u001b[2J" });
        Assert.Equal((HttpStatusCode.BadRequest, "unknown_user_id"), (escape.Status, escape.Error));
    }

    [Fact]
    public async Task A_known_user_without_a_user_token_is_unknown_user_id()
    {
        // The account and its wallet are stored directly: a sign-in would leave its payload's looks behind it, and a
        // look that lost the race to resolve the payload may still record the token it read, after any delete here.
        await using var host = new SignInHost();
        var wallet = XrplAddress.CreateRandom();
        var now = host.Clock.GetUtcNow();
        var account = IdentityBridge.Accounts.AccountService.NewAccount(now, "No user token");
        account.Wallets.Add(new Wallet { AccountId = account.Id, Address = wallet, LinkedAt = now });
        await host.WithDbAsync(async db =>
        {
            db.Accounts.Add(account);
            return await db.SaveChangesAsync();
        });

        var answer = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = wallet });

        Assert.Equal("unknown_user_id", answer.Error);
        Assert.Contains("user token", answer.Json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_authentication_is_required()
    {
        await using var host = new SignInHost();
        var answer = await RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = XrplAddress.CreateRandom() }, secret: "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("invalid_client", answer.Error);
    }

    /// <summary>A user signed in once (so the wallet is known), and a poll-mode request for them: its auth_req_id and stored id.</summary>
    private static async Task<(HttpClient Api, string Wallet, string AuthReqId, string Id)> StartAsync(SignInHost host, string? requestedExpiry = null)
    {
        var wallet = XrplAddress.CreateRandom();
        await host.SignInByQrAsync(host.CreateBrowser(), wallet);
        var api = host.CreateApiClient();
        var form = new Dictionary<string, string> { ["login_hint"] = wallet };
        if (requestedExpiry is not null) form["requested_expiry"] = requestedExpiry;
        var authReqId = (await RequestAsync(api, SignInHost.CibaPollClient, form)).Json.GetProperty("auth_req_id").GetString()!;
        return (api, wallet, authReqId, CibaEndpoint.Id(authReqId));
    }

    internal sealed record Answer(HttpStatusCode Status, JsonElement Json)
    {
        public string? Error => Json.TryGetProperty("error", out var e) ? e.GetString() : null;
    }

    internal static async Task<Answer> RequestAsync(HttpClient api, string clientId, Dictionary<string, string> form, string secret = SignInHost.CibaSecret)
    {
        form.TryAdd("scope", "openid profile");
        form.TryAdd("binding_message", Binding);
        if (form["binding_message"].Length == 0) form.Remove("binding_message");
        return await PostAsync(api, "/connect/ciba", clientId, secret, form);
    }

    internal static Task<Answer> TokenAsync(HttpClient api, string clientId, string authReqId) =>
        PostAsync(api, "/connect/token", clientId, SignInHost.CibaSecret, new()
        {
            ["grant_type"] = "urn:openid:params:grant-type:ciba",
            ["auth_req_id"] = authReqId,
        });

    internal static async Task<Answer> PostAsync(HttpClient api, string path, string clientId, string secret, Dictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));
        using var response = await api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone());
    }
}
