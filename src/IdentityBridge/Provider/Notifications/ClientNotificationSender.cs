using System.Globalization;
using IdentityBridge.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Notifications;

/// <summary>What became of one notification: delivered or not, the last answer's status, and the attempts it took.</summary>
/// <param name="Problem">Why the last attempt did not deliver it ("answered 400", "could not be reached (...)", ...); null when delivered.</param>
public sealed record NotificationOutcome(bool Delivered, int? Status, string? Problem, int Attempts)
{
    /// <summary>When the notification is to be sent again (a retryable failure with retries left); null when this outcome is final.</summary>
    public NotificationRetry? Retry { get; init; }

    /// <summary>The problem and the number of attempts, for a log line or an audit reason.</summary>
    public string Describe() => Delivered
        ? $"delivered after {Attempts} {(Attempts == 1 ? "attempt" : "attempts")}"
        : $"{Problem} ({Attempts} {(Attempts == 1 ? "attempt" : "attempts")})";
}

/// <summary>One attempt at a notification: its number (1 for the first) and the wait before the retry that would follow it.</summary>
public readonly record struct NotificationAttempt(int Number, TimeSpan Delay);

/// <summary>A retry to make: after <paramref name="Wait"/>, as <paramref name="Next"/>.</summary>
public sealed record NotificationRetry(TimeSpan Wait, NotificationAttempt Next);

/// <summary>
/// Sends notifications to clients' servers (back-channel logout tokens, CIBA pings) and says what became of them.
/// Only the status of an answer is read, never its body. A client that could not be reached, did not answer within
/// the timeout, or answered 429 or a 5xx status may be able to take the notification a moment later (RFC 8935 §2.4
/// lets a sender retry such "potentially retryable" errors), so it is sent again, <c>Bridge:Notifications:Retries</c>
/// times at most, after <c>Bridge:Notifications:RetryDelay</c> doubling each time (a longer <c>Retry-After</c> of the
/// client is honoured up to a minute). Any other answer is final: a client that answered 4xx has the notification and
/// refused it, and sending it again would not change its mind. Each call makes one attempt and says whether and when
/// to make the next; the first is made at once by the notifier, the retries wait in <see cref="ClientNotificationOutbox"/>
/// so that they outlive the node that scheduled them.
/// </summary>
public sealed class ClientNotificationSender(
    IHttpClientFactory httpClients,
    IOptions<BridgeOptions> options,
    TimeProvider time,
    ILogger<ClientNotificationSender> logger)
{
    /// <summary>The first attempt of a notification.</summary>
    public NotificationAttempt FirstAttempt => new(1, options.Value.Notifications.RetryDelay);

    /// <summary>Makes one attempt; the outcome's <see cref="NotificationOutcome.Retry"/> says when to make the next, if any.</summary>
    /// <param name="httpClientName">The named HTTP client to send with (its handler must not follow redirects).</param>
    /// <param name="what">What is sent, for the log ("Back-channel logout", "CIBA ping").</param>
    /// <param name="request">Makes the request of the attempt.</param>
    /// <param name="timeout">How long the attempt waits for the answer's status line and headers.</param>
    /// <param name="attempt">Which attempt this is: <see cref="FirstAttempt"/>, or the <see cref="NotificationRetry.Next"/> of the one before.</param>
    /// <param name="stopping">Ends the attempt (the application is stopping).</param>
    public async Task<NotificationOutcome> SendAsync(string httpClientName, string what, string clientId,
        Func<HttpRequestMessage> request, TimeSpan timeout, NotificationAttempt attempt, CancellationToken stopping)
    {
        var answer = await AttemptAsync(httpClientName, request, timeout, stopping);
        if (answer.Problem is null) return new(true, answer.Status, null, attempt.Number);
        if (!answer.Retryable || attempt.Number > options.Value.Notifications.Retries)
            return new(false, answer.Status, answer.Problem, attempt.Number);

        var delay = attempt.Delay;
        var wait = answer.RetryAfter is { } asked && asked > delay
            ? (asked < NotificationOptions.MaxRetryAfter ? asked : NotificationOptions.MaxRetryAfter)
            : delay;
        logger.LogInformation("{What} to client {ClientId}, attempt {Attempt}: {Problem}; trying again in {Wait}",
            what, clientId, attempt.Number, answer.Problem, wait);
        var next = delay * 2 < NotificationOptions.MaxRetryAfter ? delay * 2 : NotificationOptions.MaxRetryAfter;
        return new(false, answer.Status, answer.Problem, attempt.Number) { Retry = new(wait, new(attempt.Number + 1, next)) };
    }

    private async Task<Answer> AttemptAsync(string httpClientName, Func<HttpRequestMessage> request, TimeSpan timeout, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);
        try
        {
            using var http = httpClients.CreateClient(httpClientName);
            using var message = request();
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new(status, null, Retryable: false, RetryAfter: null);
            return new(status, $"answered {status.ToString(CultureInfo.InvariantCulture)}", Retryable: status is 429 or >= 500, RetryAfterOf(response));
        }
        catch (HttpRequestException ex)
        {
            return new(null, $"could not be reached ({ex.Message})", Retryable: true, RetryAfter: null);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new(null, $"did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", Retryable: true, RetryAfter: null);
        }
        catch (InvalidOperationException ex)
        {
            // The address cannot be requested at all (registration checks make this rare); another attempt would not help.
            return new(null, $"could not be sent ({ex.Message})", Retryable: false, RetryAfter: null);
        }
    }

    /// <summary>RFC 9110 §10.2.3: seconds, or a date.</summary>
    private TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    private readonly record struct Answer(int? Status, string? Problem, bool Retryable, TimeSpan? RetryAfter);
}
