using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// The retries of a back-channel logout wait in the shared database, not in the memory of the node that made the
/// first attempt: a node that stops leaves them to the next one, and of nodes sharing the database exactly one makes
/// each attempt and records a final failure.
/// </summary>
public sealed class NotificationOutboxTests
{
    private const string Uri = "https://later.example/backchannel";

    private sealed class Node : ProviderHost
    {
        public Node(string? connectionString, string retryDelay = "00:00:02") : base(connectionString, importTestKeys: true)
        {
            Settings["Bridge:Notifications:Retries"] = "2";
            Settings["Bridge:Notifications:RetryDelay"] = retryDelay;
        }

        public ClientNotificationOutbox Outbox => Services.GetRequiredService<ClientNotificationOutbox>();

        public Task<int> DeliverDueAsync() => Services.GetRequiredService<ClientNotificationRetries>().DeliverDueAsync(CancellationToken.None);

        public List<JsonWebToken> SentTo(string uri) =>
            [.. BackChannel.Requests.Where(r => r.Uri.ToString() == uri).Select(r => new JsonWebToken(LogoutToken(r.Body)!))];
    }

    [Fact]
    public async Task A_retry_scheduled_before_a_restart_is_made_by_the_next_node_with_a_new_valid_token()
    {
        var database = TestDatabase.CreateDatabase();
        try
        {
            string sessionId, accountId;
            JsonWebToken first;
            await using (var before = new Node(database))
            {
                before.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
                (sessionId, accountId) = await SessionWithClientUriAsync(before);
                var notified = before.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]);
                // The first attempt is made at once; the node then stops before the retry is due.
                await Task.WhenAny(notified, Task.Delay(TimeSpan.FromSeconds(1)));
                first = Assert.Single(before.SentTo(Uri));
            }

            await using var after = new Node(database);
            _ = after.Server;
            after.Clock.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(1, await after.DeliverDueAsync());

            var retry = Assert.Single(after.SentTo(Uri));
            Assert.NotEqual(first.Id, retry.Id);
            Assert.Equal(first.GetPayloadValue<string>("sid"), retry.GetPayloadValue<string>("sid"));
            Assert.Equal(first.Subject, retry.Subject);
            Assert.Equal(after.Clock.GetUtcNow().ToUnixTimeSeconds(), retry.GetPayloadValue<long>("iat"));
            var jwks = new JsonWebKeySet(await after.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(retry.EncodedToken, new TokenValidationParameters
            {
                ValidIssuer = BridgeFactory.Issuer,
                ValidAudience = TestClients.Other,
                LifetimeValidator = (_, expires, _, _) => expires > after.Clock.GetUtcNow().UtcDateTime,
                IssuerSigningKeys = jwks.GetSigningKeys(),
                ValidTypes = ["logout+jwt"],
            });
            Assert.True(result.IsValid, result.Exception?.Message);
            Assert.Null(await after.Outbox.NextDueAsync(CancellationToken.None));
            Assert.Empty(await FailuresAsync(after, accountId));
        }
        finally { TestDatabase.DropDatabase(database); }
    }

    [Fact]
    public async Task Two_nodes_on_one_database_make_a_pending_retry_once()
    {
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        var unavailable = 1;
        nodeA.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(
            Interlocked.Decrement(ref unavailable) >= 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        var (sessionId, accountId) = await SessionWithClientUriAsync(nodeA);

        await nodeA.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(nodeA.SentTo(Uri));
        nodeA.Clock.Advance(TimeSpan.FromSeconds(3));
        nodeB.Clock.Advance(TimeSpan.FromSeconds(3));

        // Both nodes see the row due; the conditional update lets only one of them take it.
        var (key, due) = Assert.Single(await nodeA.Outbox.DueAsync(10, CancellationToken.None));
        Assert.Equal((key, due), Assert.Single(await nodeB.Outbox.DueAsync(10, CancellationToken.None)));
        var claims = await Task.WhenAll(nodeA.Outbox.TryClaimAsync(key, due, CancellationToken.None), nodeB.Outbox.TryClaimAsync(key, due, CancellationToken.None));
        Assert.Single(claims, c => c is not null);
        // The lease ends: the row is due again and is made by exactly one of two nodes running at once.
        nodeA.Clock.Advance(ClientNotificationOutbox.ClaimLease);
        nodeB.Clock.Advance(ClientNotificationOutbox.ClaimLease);
        var made = await Task.WhenAll(nodeA.DeliverDueAsync(), nodeB.DeliverDueAsync());

        Assert.Equal(1, made.Sum());
        Assert.Equal(2, nodeA.SentTo(Uri).Count + nodeB.SentTo(Uri).Count);
        Assert.Null(await nodeA.Outbox.NextDueAsync(CancellationToken.None));
        Assert.Empty(await FailuresAsync(nodeA, accountId));
    }

    [Fact]
    public async Task A_final_failure_is_audited_once_whichever_nodes_made_the_retries()
    {
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        foreach (var node in new[] { nodeA, nodeB })
            node.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var (sessionId, accountId) = await SessionWithClientUriAsync(nodeA);

        await nodeA.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));
        for (var round = 0; round < 10 && await nodeA.Outbox.NextDueAsync(CancellationToken.None) is { } next; round++)
        {
            nodeA.Clock.Advance(next - nodeA.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
            nodeB.Clock.Advance(next - nodeB.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
            await Task.WhenAll(nodeA.DeliverDueAsync(), nodeB.DeliverDueAsync());
        }

        Assert.Equal(3, nodeA.SentTo(Uri).Count + nodeB.SentTo(Uri).Count); // the first attempt and the two retries configured
        Assert.Null(await nodeA.Outbox.NextDueAsync(CancellationToken.None));
        await nodeB.Services.GetRequiredService<AuditLog>().FlushAsync();
        var failure = Assert.Single(await FailuresAsync(nodeA, accountId));
        Assert.Equal(TestClients.Other, failure.ClientId);
        Assert.False(failure.Success);
        Assert.Contains("503", failure.Reason);
        Assert.Contains("3 attempts", failure.Reason);
        Assert.Contains(sessionId, failure.Details);
    }

    [Fact]
    public async Task The_retry_service_makes_a_retry_when_it_is_due_without_waiting_for_its_next_round()
    {
        await using var node = new Node(null, retryDelay: "00:00:00.100");
        _ = node.Server;
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        node.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(answers.Dequeue()));
        var (sessionId, accountId) = await SessionWithClientUriAsync(node);
        var service = ActivatorUtilities.CreateInstance<ClientNotificationRetryService>(node.Services);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await node.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));
            // Woken by the scheduling, the service waits for the due time (on the host's clock) and no longer.
            node.Clock.Advance(TimeSpan.FromMilliseconds(100));
            await node.BackChannel.WaitForAsync(_ => node.SentTo(Uri).Count == 2, TimeSpan.FromSeconds(2));
            // Delivered: the row goes right after the answer.
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (await node.Outbox.NextDueAsync(CancellationToken.None) is not null && DateTime.UtcNow < deadline)
                await Task.Delay(10);
        }
        finally { await service.StopAsync(CancellationToken.None); }
        Assert.Null(await node.Outbox.NextDueAsync(CancellationToken.None));
        Assert.Equal(2, node.SentTo(Uri).Count);
    }

    [Fact]
    public async Task A_pending_retry_holds_no_token_and_ends_with_its_delivery_window()
    {
        await using var node = new Node(null);
        _ = node.Server;
        node.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var (sessionId, accountId) = await SessionWithClientUriAsync(node);
        await node.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));

        var row = await node.WithDbAsync(db => db.Grants.AsNoTracking().SingleAsync(g => g.Type == GrantTypes.ClientNotification));
        Assert.Equal(TestClients.Other, row.ClientId);
        Assert.Null(row.AccountId);
        Assert.DoesNotContain(Assert.Single(node.SentTo(Uri)).EncodedToken.Split('.')[1], row.Data);
        Assert.Equal(row.CreatedAt + ClientNotificationOutbox.DeliveryWindow, row.ExpiresAt);
        Assert.Equal(row.CreatedAt + TimeSpan.FromSeconds(2), row.ConsumedAt);

        // The bridge was stopped past the window: the notification is not sent, and its failure is audited.
        node.Clock.Advance(ClientNotificationOutbox.DeliveryWindow);
        Assert.Equal(1, await node.DeliverDueAsync());
        Assert.Single(node.SentTo(Uri));
        Assert.Contains("not delivered within", Assert.Single(await FailuresAsync(node, accountId)).Reason);
    }

    [Fact]
    public async Task A_retry_goes_to_the_logout_uri_the_client_has_when_it_is_made()
    {
        const string moved = "https://later.example/moved";
        await using var node = new Node(null);
        _ = node.Server;
        node.BackChannel.Responses[Uri] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        node.BackChannel.Responses[moved] = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        var (sessionId, accountId) = await SessionWithClientUriAsync(node);
        await node.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));
        var first = Assert.Single(node.SentTo(Uri));

        // The client's administrator moved its endpoint (the old one is gone): the retry goes where the client now listens.
        await node.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = moved);
        node.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await node.DeliverDueAsync());

        Assert.Single(node.SentTo(Uri));
        Assert.Equal(first.GetPayloadValue<string>("sid"), Assert.Single(node.SentTo(moved)).GetPayloadValue<string>("sid"));
        Assert.Null(await node.Outbox.NextDueAsync(CancellationToken.None));
        Assert.Empty(await FailuresAsync(node, accountId));
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(600, 60)] // honoured up to a minute
    [InlineData(1, 2)] // never sooner than the configured delay
    public async Task A_retry_is_due_after_the_clients_Retry_After(int asked, int waited)
    {
        await using var node = new Node(null);
        _ = node.Server;
        node.BackChannel.Responses[Uri] = _ =>
        {
            var busy = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(asked));
            return Task.FromResult(busy);
        };
        var (sessionId, accountId) = await SessionWithClientUriAsync(node);
        await node.Services.GetRequiredService<BackChannelLogoutNotifier>().Notify(sessionId, accountId, [TestClients.Other]).WaitAsync(TimeSpan.FromSeconds(5));

        var row = await node.WithDbAsync(db => db.Grants.AsNoTracking().SingleAsync(g => g.Type == GrantTypes.ClientNotification));
        Assert.Equal(row.CreatedAt + TimeSpan.FromSeconds(waited), row.ConsumedAt);
        node.Clock.Advance(TimeSpan.FromSeconds(waited) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await node.DeliverDueAsync());
        node.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await node.DeliverDueAsync());
        Assert.Equal(2, node.SentTo(Uri).Count);
    }

    /// <summary>A signed-in user's session at <paramref name="node"/>, and the Other client's back-channel logout URI set to <see cref="Uri"/>.</summary>
    private static async Task<(string SessionId, string AccountId)> SessionWithClientUriAsync(Node node)
    {
        await node.UpdateClientAsync(TestClients.Other, c => c.BackChannelLogoutUri = Uri);
        var driver = new OidcDriver(node);
        await driver.LoginAsync();
        var accountId = await node.AccountIdOfAsync(driver.Wallet);
        var sessionId = await node.WithDbAsync(db => db.Sessions.Where(s => s.AccountId == accountId).Select(s => s.Id).SingleAsync());
        return (sessionId, accountId);
    }

    private static Task<List<Storage.Entities.AuditEvent>> FailuresAsync(Node node, string accountId) =>
        node.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == AuditTypes.BackChannelLogoutFailed && e.AccountId == accountId).ToListAsync());

    private static string? LogoutToken(string body) => QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var t) ? t.ToString() : null;
}
