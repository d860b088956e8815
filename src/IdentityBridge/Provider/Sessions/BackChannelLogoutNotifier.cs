using IdentityBridge.Audit;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// OpenID Connect Back-Channel Logout 1.0: POSTs a signed logout token (<c>typ</c> logout+jwt) as
/// <c>logout_token</c> to every client of an ended session that registered a back-channel logout URI.
/// Runs in the background, all clients at once with a short timeout each, so the user's logout never waits for a
/// client and no client waits for another. A client that could not be reached or was unavailable for now is told
/// again (<see cref="ClientNotificationSender"/>): the retry waits in the database (<see cref="ClientNotificationOutbox"/>),
/// holding the client, account, session and URI only, and whichever node makes it signs a new token then (a new
/// <c>jti</c> and <c>iat</c>) and sends it to the client's logout URI of that moment, so no signed token is stored
/// and none is sent expired. A logout that did not reach a client
/// is logged and audited (<see cref="AuditTypes.BackChannelLogoutFailed"/>) once, by the node that made the last
/// attempt. Redirects are not followed and the body of an answer is not read.
/// </summary>
public sealed class BackChannelLogoutNotifier(
    ClientNotificationSender sender,
    ClientNotificationOutbox outbox,
    ClientStore clients,
    SubjectResolver subjects,
    JwtSigner signer,
    ProviderUrls urls,
    AuditLog audit,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<BackChannelLogoutNotifier> logger) : IPendingNotificationKind
{
    public const string HttpClientName = "IdentityBridge.BackChannelLogout";
    public const string EventType = "http://schemas.openid.net/event/backchannel-logout";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private const string AccountField = "account";
    private const string SessionField = "session";
    private const string UriField = "uri";

    public string Kind => "backchannel_logout";

    /// <summary>
    /// Starts the notifications and returns at once. The returned task completes when each client has had its first
    /// attempt and the retries due are stored.
    /// </summary>
    public Task Notify(string sessionId, string accountId, IReadOnlyCollection<string> clientIds)
    {
        if (clientIds.Count == 0) return Task.CompletedTask;
        var stopping = lifetime.ApplicationStopping;
        return Task.Run(() => Task.WhenAll(clientIds.Select(clientId => DeliverAsync(clientId, sessionId, accountId, stopping))), CancellationToken.None);
    }

    private async Task DeliverAsync(string clientId, string sessionId, string accountId, CancellationToken stopping)
    {
        try
        {
            var client = await clients.FindEnabledAsync(clientId, stopping);
            if (client?.BackChannelLogoutUri is not { } uri) return;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal) { [AccountField] = accountId, [SessionField] = sessionId, [UriField] = uri };
            var outcome = await SendAsync(client, fields, sender.FirstAttempt, stopping);
            // Stored even if the bridge is stopping meanwhile: the next node to run makes the retry.
            if (outcome.Retry is { } retry) await outbox.ScheduleAsync(Kind, clientId, fields, retry, CancellationToken.None);
            else await ReportAsync(clientId, fields, outcome, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            logger.LogWarning("Back-channel logout to client {ClientId} not delivered: the bridge is stopping", clientId);
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: anything else (the database, a key) is logged here, and the other clients
            // are still told.
            logger.LogError(ex, "Back-channel logout to client {ClientId} failed", clientId);
        }
    }

    /// <summary>
    /// A retry, with a logout token made now, while the client is enabled and still takes logouts: to the URI the client
    /// has now, so a retry follows an endpoint its administrator moved meanwhile (the audit of a final failure names
    /// the URI of the first attempt).
    /// </summary>
    public async Task<NotificationOutcome?> RetryAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationAttempt attempt, CancellationToken ct)
    {
        if (!fields.ContainsKey(AccountField) || !fields.ContainsKey(SessionField) || !fields.ContainsKey(UriField)) return null;
        var client = await clients.FindEnabledAsync(clientId, ct);
        if (client?.BackChannelLogoutUri is null) return null;
        return await SendAsync(client, fields, attempt, ct);
    }

    public async Task ReportAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationOutcome outcome, CancellationToken ct)
    {
        if (outcome.Delivered) return;
        logger.LogWarning("Back-channel logout to client {ClientId} failed: {Outcome}", clientId, outcome.Describe());
        await audit.WriteAsync(AuditTypes.BackChannelLogoutFailed, "system", fields.GetValueOrDefault(AccountField), clientId, success: false,
            reason: outcome.Describe(), details: new { sid = fields.GetValueOrDefault(SessionField), uri = fields.GetValueOrDefault(UriField), status = outcome.Status, attempts = outcome.Attempts }, ct: ct);
    }

    private async Task<NotificationOutcome> SendAsync(RegisteredClient client, IReadOnlyDictionary<string, string> fields, NotificationAttempt attempt, CancellationToken ct)
    {
        var sub = await subjects.SubjectForAsync(client, fields[AccountField], ct);
        var sid = await subjects.SessionIdForAsync(client, fields[SessionField], ct);
        return await sender.SendAsync(HttpClientName, "Back-channel logout", client.ClientId, () => new HttpRequestMessage(HttpMethod.Post, client.BackChannelLogoutUri)
        {
            Content = new FormUrlEncodedContent([new("logout_token", LogoutToken(client, sub, sid, UrlSafe.NewId(16)))]),
        }, Timeout, attempt, ct);
    }

    /// <summary>
    /// The logout token for one client (Back-Channel Logout 1.0 §2.4): no nonce, an events claim, short-lived;
    /// <c>sub</c> and <c>sid</c> as that client saw them in its ID tokens.
    /// </summary>
    public async Task<string> CreateLogoutTokenAsync(RegisteredClient client, string accountId, string sessionId, CancellationToken ct = default) =>
        LogoutToken(client, await subjects.SubjectForAsync(client, accountId, ct), await subjects.SessionIdForAsync(client, sessionId, ct), UrlSafe.NewId(16));

    private string LogoutToken(RegisteredClient client, string sub, string sid, string jti)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = urls.Issuer,
            ["aud"] = client.ClientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(2).ToUnixTimeSeconds(),
            ["jti"] = jti,
            ["sub"] = sub,
            ["sid"] = sid,
            ["events"] = new Dictionary<string, object> { [EventType] = new Dictionary<string, object>() },
        };
        return signer.Sign(claims, client.IdTokenSigningAlg, "logout+jwt");
    }
}
