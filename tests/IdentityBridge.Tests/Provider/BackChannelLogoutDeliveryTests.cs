using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>A bridge whose back-channel logout retries come quickly, so the tests can watch them.</summary>
public sealed class QuickRetryProviderHost : ProviderHost
{
    public QuickRetryProviderHost()
    {
        Settings["Bridge:Notifications:Retries"] = "2";
        Settings["Bridge:Notifications:RetryDelay"] = "00:00:00.050";
    }
}

/// <summary>
/// Delivery of back-channel logout tokens (Back-Channel Logout 1.0 §2.5, §2.8): a client that could not be reached or
/// answered that it is unavailable for now is told again, a bounded number of times (the retries wait in the database,
/// see <see cref="NotificationOutboxTests"/>); a client that answered is not;
/// one client's trouble delays no other; a logout that never arrived is in the audit trail.
/// </summary>
public sealed class BackChannelLogoutDeliveryTests(QuickRetryProviderHost host) : IClassFixture<QuickRetryProviderHost>
{
    [Fact]
    public async Task A_client_that_is_unavailable_for_now_is_told_again_until_it_answers()
    {
        const string uri = "https://busy.example/backchannel";
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK]);
        var (sessionId, accountId) = await SessionWithClientUriAsync(uri, _ => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        try
        {
            await NotifyAsync(sessionId, accountId);

            var sent = SentTo(uri);
            Assert.Equal(3, sent.Count);
            // Each retry is a token made when it is sent: a jti of its own, the same session.
            Assert.Equal(3, sent.Select(t => t.Id).Distinct().Count());
            Assert.All(sent, t => Assert.Equal(sessionId, t.GetPayloadValue<string>("sid")));
            Assert.Empty(await FailuresAsync(accountId));
        }
        finally { await ResetAsync(uri); }
    }

    [Fact]
    public async Task A_client_that_could_not_be_reached_is_told_again()
    {
        const string uri = "https://down.example/backchannel";
        var attempts = 0;
        var (sessionId, accountId) = await SessionWithClientUriAsync(uri, _ => ++attempts == 1
            ? throw new HttpRequestException("Connection refused")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent)));
        try
        {
            await NotifyAsync(sessionId, accountId);

            Assert.Equal(2, SentTo(uri).Count);
            Assert.Empty(await FailuresAsync(accountId));
        }
        finally { await ResetAsync(uri); }
    }

    [Fact]
    public async Task A_client_that_refused_the_token_is_not_told_again_and_the_refusal_is_audited()
    {
        // §2.8: 400 means the client could not validate the token; sending the same event again changes nothing.
        const string uri = "https://refuses.example/backchannel";
        var (sessionId, accountId) = await SessionWithClientUriAsync(uri, _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)));
        try
        {
            await NotifyAsync(sessionId, accountId);

            Assert.Single(SentTo(uri));
            var failure = Assert.Single(await FailuresAsync(accountId));
            Assert.Equal(TestClients.Other, failure.ClientId);
            Assert.False(failure.Success);
            Assert.Contains("400", failure.Reason);
            Assert.Contains(sessionId, failure.Details);
        }
        finally { await ResetAsync(uri); }
    }

    [Fact]
    public async Task A_client_that_stays_unavailable_is_told_a_bounded_number_of_times_and_the_failure_is_audited()
    {
        const string uri = "https://gone.example/backchannel";
        var (sessionId, accountId) = await SessionWithClientUriAsync(uri, _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        try
        {
            await NotifyAsync(sessionId, accountId);

            Assert.Equal(3, SentTo(uri).Count); // the first attempt and the two retries configured
            var failure = Assert.Single(await FailuresAsync(accountId));
            Assert.Equal(TestClients.Other, failure.ClientId);
            Assert.Contains("503", failure.Reason);
            Assert.Contains("3 attempts", failure.Reason);
        }
        finally { await ResetAsync(uri); }
    }

    [Fact]
    public async Task A_client_that_does_not_answer_delays_no_other_client()
    {
        // The Other client's endpoint never answers (each attempt runs into the timeout, then is retried); the Web
        // client must still hear of the logout at once, not after the Other client's attempts are over.
        const string uri = "https://hangs.example/backchannel";
        var (sessionId, accountId) = await SessionWithClientUriAsync(uri, async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new OperationCanceledException(ct);
        });
        try
        {
            var notified = host.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other, TestClients.Web]);
            var (webUri, _) = await host.BackChannel.WaitForAsync(b => Sid(b) == sessionId && Aud(b) == TestClients.Web,
                BackChannelLogoutNotifier.Timeout - TimeSpan.FromSeconds(1));
            Assert.Equal(TestClients.BackChannel, webUri.ToString());
            Assert.False(notified.IsCompleted);
            await notified.WaitAsync(TimeSpan.FromSeconds(60));
            await host.DeliverPendingNotificationsAsync();
            Assert.Contains("did not answer", Assert.Single(await FailuresAsync(accountId)).Reason);
        }
        finally { await ResetAsync(uri); }
    }

    /// <summary>A signed-in user's session, and the Other client's back-channel logout URI answering with <paramref name="respond"/>.</summary>
    private async Task<(string SessionId, string AccountId)> SessionWithClientUriAsync(string uri, Func<CancellationToken, Task<HttpResponseMessage>> respond)
    {
        host.BackChannel.Responses[uri] = respond;
        await host.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = uri);
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var accountId = await host.AccountIdOfAsync(driver.Wallet);
        var sessionId = await host.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == accountId).Select(s => s.Id).SingleAsync());
        return (sessionId, accountId);
    }

    /// <summary>Notifies the Other client, then makes the retries the notification left, as they fall due.</summary>
    private async Task NotifyAsync(string sessionId, string accountId)
    {
        await host.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(60));
        await host.DeliverPendingNotificationsAsync();
    }

    private List<JsonWebToken> SentTo(string uri) =>
        host.BackChannel.Requests.Where(r => r.Uri.ToString() == uri).Select(r => new JsonWebToken(LogoutToken(r.Body)!)).ToList();

    private Task<List<Storage.Entities.AuditEvent>> FailuresAsync(string accountId) =>
        host.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == AuditTypes.BackChannelLogoutFailed && e.AccountId == accountId).ToListAsync());

    private async Task ResetAsync(string uri)
    {
        host.BackChannel.Responses.TryRemove(uri, out _);
        await host.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = null);
    }

    private static string? LogoutToken(string body) => QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var t) ? t.ToString() : null;
    private static string? Sid(string body) => LogoutToken(body) is { } t ? new JsonWebToken(t).GetPayloadValue<string>("sid") : null;
    private static string? Aud(string body) => LogoutToken(body) is { } t ? new JsonWebToken(t).Audiences.SingleOrDefault() : null;
}
