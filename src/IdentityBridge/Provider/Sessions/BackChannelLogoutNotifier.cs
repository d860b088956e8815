using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// OpenID Connect Back-Channel Logout 1.0: POSTs a signed logout token (<c>typ</c> logout+jwt) as
/// <c>logout_token</c> to every client of an ended session that registered a back-channel logout URI.
/// Runs in the background with a short timeout: the user's logout never waits for a client; failures are logged.
/// Redirects are not followed and the body of an answer is not read.
/// </summary>
public sealed class BackChannelLogoutNotifier(
    IHttpClientFactory httpClients,
    ClientStore clients,
    SubjectResolver subjects,
    JwtSigner signer,
    ProviderUrls urls,
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
        return Task.Run(() => SendAllAsync(sessionId, accountId, clientIds, stopping), CancellationToken.None);
    }

    private async Task SendAllAsync(string sessionId, string accountId, IReadOnlyCollection<string> clientIds, CancellationToken stopping)
    {
        foreach (var clientId in clientIds)
        {
            try
            {
                var client = await clients.FindEnabledAsync(clientId, stopping);
                if (client?.BackChannelLogoutUri is not { } uri) continue;
                var token = await CreateLogoutTokenAsync(client, accountId, sessionId, stopping);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                timeout.CancelAfter(Timeout);
                using var http = httpClients.CreateClient(HttpClientName);
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent([new("logout_token", token)]) };
                // Only the status matters (§2.8): the body of the answer is never read, however large the client makes it.
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!response.IsSuccessStatusCode)
                    logger.LogWarning("Back-channel logout to client {ClientId} answered {Status}", clientId, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
            {
                logger.LogWarning("Back-channel logout to client {ClientId} failed: {Error}", clientId, ex.Message);
            }
            catch (Exception ex)
            {
                // Nobody awaits this task: anything else (the database, a key) is logged here, and the other clients
                // are still told.
                logger.LogError(ex, "Back-channel logout to client {ClientId} failed", clientId);
            }
        }
    }

    /// <summary>
    /// The logout token for one client (Back-Channel Logout 1.0 §2.4): no nonce, an events claim, short-lived;
    /// <c>sub</c> and <c>sid</c> as that client saw them in its ID tokens.
    /// </summary>
    public async Task<string> CreateLogoutTokenAsync(RegisteredClient client, string accountId, string sessionId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = urls.Issuer,
            ["aud"] = client.ClientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(2).ToUnixTimeSeconds(),
            ["jti"] = UrlSafe.NewId(16),
            ["sub"] = await subjects.SubjectForAsync(client, accountId, ct),
            ["sid"] = await subjects.SessionIdForAsync(client, sessionId, ct),
            ["events"] = new Dictionary<string, object> { [EventType] = new Dictionary<string, object>() },
        };
        return signer.Sign(claims, client.IdTokenSigningAlg, "logout+jwt");
    }
}
