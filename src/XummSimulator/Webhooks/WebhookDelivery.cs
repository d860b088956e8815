namespace XummSimulator.Webhooks;

/// <summary>One webhook to deliver: the body is fixed, timestamp and signature are made per attempt.</summary>
internal sealed record WebhookDelivery(string Url, string ApiSecret, string Body, string PayloadUuid, string ReferenceCallUuid);
