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
/// again (<see cref="ClientNotificationSender"/>); each attempt carries a fresh token of the same event (one
/// <c>jti</c>), so a retry is never expired. A logout that did not reach a client is logged and audited
/// (<see cref="AuditTypes.BackChannelLogoutFailed"/>). Redirects are not followed and the body of an answer is not read.
/// </summary>
public sealed class BackChannelLogoutNotifier(
    ClientNotificationSender sender,
    ClientStore clients,
    SubjectResolver subjects,
    JwtSigner signer,
    ProviderUrls urls,
    AuditLog audit,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<BackChannelLogoutNotifier> logger)
{
    public const string HttpClientName = "IdentityBridge.BackChannelLogout";
    public const string EventType = "http://schemas.openid.net/event/backchannel-logout";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Starts the notifications and returns at once. The returned task completes when all have been attempted.</summary>
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
            var jti = UrlSafe.NewId(16);
            var sub = await subjects.SubjectForAsync(client, accountId, stopping);
            var sid = await subjects.SessionIdForAsync(client, sessionId, stopping);
            var outcome = await sender.SendAsync(HttpClientName, "Back-channel logout", clientId, () => new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Content = new FormUrlEncodedContent([new("logout_token", LogoutToken(client, sub, sid, jti))]),
            }, Timeout, stopping);
            if (outcome.Delivered) return;

            logger.LogWarning("Back-channel logout to client {ClientId} failed: {Outcome}", clientId, outcome.Describe());
            await audit.WriteAsync(AuditTypes.BackChannelLogoutFailed, "system", accountId, clientId, success: false,
                reason: outcome.Describe(), details: new { sid = sessionId, uri, status = outcome.Status, attempts = outcome.Attempts }, ct: stopping);
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
