namespace XummSimulator.Webhooks;

/// <summary>A record of one delivery attempt, for the control API.</summary>
public sealed record WebhookAttempt(
    string PayloadUuid,
    string ReferenceCallUuid,
    string Url,
    int Attempt,
    DateTimeOffset At,
    int? StatusCode,
    bool Delivered,
    string? Failure);
