using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Ciba;

/// <summary>
/// Ping mode (CIBA Core §10.2): once a ping client's request resolves (signed, declined, expired, failed), POSTs
/// <c>{ "auth_req_id": "..." }</c> to the client's notification endpoint with
/// <c>Authorization: Bearer {client_notification_token}</c>. The client then fetches the outcome from the token
/// endpoint. Sent in the background; a client that could not be reached or was unavailable for now is pinged again
/// (<see cref="ClientNotificationSender"/>); redirects are not followed. A retry waits in the database
/// (<see cref="ClientNotificationOutbox"/>) holding the sign-in request's id and its status: the auth_req_id and the
/// bearer token stay where they are kept, data protected, in the sign-in request, and are read from there when the
/// retry is made, which goes to the client's endpoint of that moment. A disabled client is not pinged.
/// </summary>
public sealed class CibaPingNotifier(
    ClientNotificationSender sender,
    ClientNotificationOutbox outbox,
    IDataProtectionProvider dataProtection,
    IServiceScopeFactory scopes,
    ILogger<CibaPingNotifier> logger) : ISignInResolutionObserver, IHostedService, IPendingNotificationKind
{
    public const string HttpClientName = "IdentityBridge.CibaPing";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const string RequestField = "request";
    private const string StatusField = "status";

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private readonly Lock _gate = new();

    public string Kind => "ciba_ping";

    public Task OnResolvedAsync(SignInRequest request, string status, CancellationToken ct)
    {
        if (request.Kind != SignInKinds.Ciba) return Task.CompletedTask;
        var data = SignInRequestData.Read(request.Data);
        if (data.DeliveryMode != Ciba.PingMode || data.AuthReqId is null || data.NotificationToken is null || request.ClientId is null)
            return Task.CompletedTask;
        var task = Task.Run(() => NotifyAsync(request.Id, request.ClientId, data, status, _stopping.Token));
        lock (_gate)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }
        return Task.CompletedTask;
    }

    private async Task NotifyAsync(string requestId, string clientId, SignInRequestData data, string status, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            var endpoint = await db.Clients.AsNoTracking().Where(c => c.ClientId == clientId && c.Enabled)
                .Select(c => c.BackchannelClientNotificationEndpoint).FirstOrDefaultAsync(ct);
            if (!CibaRequestValidator.IsNotificationEndpoint(endpoint))
            {
                logger.LogWarning("CIBA ping for client {ClientId} skipped: the client is disabled or has no valid notification endpoint", clientId);
                return;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal) { [RequestField] = requestId, [StatusField] = status };
            var outcome = await SendAsync(clientId, data, endpoint!, sender.FirstAttempt, ct);
            // Stored even if the bridge is stopping meanwhile: the next node to run makes the retry.
            if (outcome.Retry is { } retry) await outbox.ScheduleAsync(Kind, clientId, fields, retry, CancellationToken.None);
            else await ReportAsync(clientId, fields, outcome, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "CIBA ping for client {ClientId} failed", clientId);
        }
    }

    /// <summary>
    /// A retry: the auth_req_id and bearer token read again from the sign-in request, to the notification endpoint the
    /// client has now (an administrator may have moved it since the first attempt); none while the client is disabled.
    /// </summary>
    public async Task<NotificationOutcome?> RetryAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationAttempt attempt, CancellationToken ct)
    {
        if (fields.GetValueOrDefault(RequestField) is not { } requestId) return null;
        string? json, endpoint;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            endpoint = await db.Clients.AsNoTracking().Where(c => c.ClientId == clientId && c.Enabled)
                .Select(c => c.BackchannelClientNotificationEndpoint).FirstOrDefaultAsync(ct);
            if (!CibaRequestValidator.IsNotificationEndpoint(endpoint)) return null;
            json = await db.SignInRequests.AsNoTracking().Where(r => r.Id == requestId && r.ClientId == clientId)
                .Select(r => r.Data).FirstOrDefaultAsync(ct);
        }
        if (json is null) return null;
        var data = SignInRequestData.Read(json);
        if (data.AuthReqId is null || data.NotificationToken is null) return null;
        return await SendAsync(clientId, data, endpoint!, attempt, ct);
    }

    public async Task ReportAsync(string clientId, IReadOnlyDictionary<string, string> fields, NotificationOutcome outcome, CancellationToken ct)
    {
        var status = fields.GetValueOrDefault(StatusField);
        await using var scope = scopes.CreateAsyncScope();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await audit.WriteAsync(SignInAuditTypes.CibaNotified, "system", clientId: clientId, success: outcome.Delivered,
            reason: outcome.Delivered ? null : outcome.Status is { } code ? $"http_{code}" : "unreachable",
            details: new { status, attempts = outcome.Attempts }, ct: ct);
        logger.LogInformation("CIBA ping for request {RequestId} ({Status}) to client {ClientId}: {Outcome}",
            fields.GetValueOrDefault(RequestField), status, clientId, outcome.Describe());
    }

    private Task<NotificationOutcome> SendAsync(string clientId, SignInRequestData data, string endpoint, NotificationAttempt attempt, CancellationToken ct)
    {
        var protector = dataProtection.CreateProtector(Ciba.ProtectionPurpose);
        var authReqId = protector.Unprotect(data.AuthReqId!);
        var bearer = protector.Unprotect(data.NotificationToken!);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["auth_req_id"] = authReqId });
        return sender.SendAsync(HttpClientName, "CIBA ping", clientId, () =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return message;
        }, Timeout, attempt, ct);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        Task[] running;
        lock (_gate) running = [.. _running];
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
