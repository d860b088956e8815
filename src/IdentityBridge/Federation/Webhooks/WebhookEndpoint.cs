using System.Text;
using System.Text.Json;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Webhooks;

/// <summary>
/// <c>POST /xumm/webhook</c>, the application's webhook URL in the Xumm developer console.
/// <list type="number">
/// <item>The signature (<c>x-xumm-request-signature</c>: HMAC-SHA1 over <c>x-xumm-request-timestamp</c> + the raw
/// body, keyed with the API secret minus its first hyphen, or minus all hyphens) is checked in constant time,
/// with the timestamp within <see cref="PayloadSignInOptions.WebhookTimestampWindow"/> of our clock: 401 otherwise.</item>
/// <item><c>meta.application_uuidv4</c> must be our API key: 403 otherwise.</item>
/// <item>Each delivery (<c>payloadResponse.reference_call_uuidv4</c>) is handled once: a retry of a processed (or
/// in-flight) delivery answers 200 and does nothing; a retry of a delivery whose read-back failed is handled anew.</item>
/// <item>The answer is 200 at once (503 when the work queue is full); a worker reads the payload back before any
/// state changes.</item>
/// </list>
/// Refusals change nothing and are audited (<c>xumm.webhook_refused</c>): a signed one as Xumm's, an unsigned one as an
/// anonymous caller's, and of those only a few a minute (<see cref="AnonymousEventSampler"/>). The route also has the
/// per-address rate limit of <c>Bridge:RateLimits</c>.
/// </summary>
public static class WebhookEndpoint
{
    public const string Path = "/xumm/webhook";
    /// <summary>How long a claimed, unprocessed delivery keeps retries out (longer than any read-back takes).</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);
    private const int MaxBodyBytes = 64 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, HandleAsync).DisableAntiforgery().AllowAnonymous();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<XummPlatformOptions> platform,
        IOptions<PayloadSignInOptions> options,
        BridgeDbContext db,
        WebhookQueue queue,
        AnonymousEventSampler anonymous,
        AuditLog audit,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoint).FullName!);
        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null) return Refusal(StatusCodes.Status413PayloadTooLarge, "invalid_request", "The body is too large.");

        var headers = context.Request.Headers;
        var now = time.GetUtcNow();
        var verification = XummWebhookSignature.Verify(platform.Value.ApiSecret, headers[XummWebhookSignature.TimestampHeader].ToString(),
            headers[XummWebhookSignature.SignatureHeader].ToString(), body, now, options.Value.WebhookTimestampWindow);
        if (verification != XummWebhookVerification.Valid)
        {
            // Unsigned: this came from anyone, not from Xumm. Audited by sample, so a flood cannot fill the trail.
            if (anonymous.ShouldAudit(SignInAuditTypes.WebhookRefused, out var unaudited))
            {
                await audit.WriteAsync(SignInAuditTypes.WebhookRefused, AuditLog.AnonymousActor, success: false, reason: verification.ToString(),
                    details: unaudited > 0 ? new { unauditedRefusalsBefore = unaudited } : null, ct: ct);
                logger.LogWarning("Webhook refused: {Verification}", verification);
            }
            else
            {
                logger.LogDebug("Webhook refused: {Verification} (not audited: too many refusals this minute)", verification);
            }
            return Refusal(StatusCodes.Status401Unauthorized, "invalid_signature", "The delivery is not signed with this application's secret, or is stale.");
        }

        var notice = Decode(body) is { } text ? Parse(text) : null;
        if (notice is null)
        {
            await audit.WriteAsync(SignInAuditTypes.WebhookRefused, "xumm", success: false, reason: "malformed", ct: ct);
            return Refusal(StatusCodes.Status400BadRequest, "invalid_request", "The delivery is not a payload webhook.");
        }
        if (!string.Equals(notice.ApplicationUuid, platform.Value.ApiKey, StringComparison.OrdinalIgnoreCase))
        {
            await audit.WriteAsync(SignInAuditTypes.WebhookRefused, "xumm", success: false, reason: "foreign_application",
                details: new { application = notice.ApplicationUuid, payload = notice.PayloadUuid }, ct: ct);
            logger.LogWarning("Webhook refused: it is about another application's payload {PayloadUuid}", notice.PayloadUuid);
            return Refusal(StatusCodes.Status403Forbidden, "access_denied", "The delivery is about another application.");
        }

        if (!await TryClaimAsync(db, notice, now, ct))
        {
            logger.LogInformation("Webhook delivery {ReferenceCall} for payload {PayloadUuid} is a repeat; ignored", notice.ReferenceCallUuid, notice.PayloadUuid);
            return Results.Json(new { received = true, duplicate = true });
        }

        if (!queue.Enqueue(new WebhookWork(notice.ReferenceCallUuid, notice.PayloadUuid, notice.UserToken)))
        {
            // Not handled: release the claim and say so, so the platform's retry is not taken for a repeat.
            await ReleaseAsync(db, notice.ReferenceCallUuid, CancellationToken.None);
            logger.LogWarning("Webhook queue full; delivery {ReferenceCall} for payload {PayloadUuid} left to the platform's retry, websocket and polling",
                notice.ReferenceCallUuid, notice.PayloadUuid);
            context.Response.Headers.RetryAfter = "10";
            return Refusal(StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "The delivery could not be queued; retry later.");
        }
        return Results.Json(new { received = true });
    }

    /// <summary>
    /// Claims a delivery for this request. A delivery row means "processed" (<see cref="WebhookDelivery.ProcessedAt"/> set)
    /// or "being processed since <see cref="WebhookDelivery.ReceivedAt"/>"; a delivery whose handling failed has no row
    /// (the worker releases it). So a retry is a repeat only when the delivery was processed, or is being processed and
    /// its claim is younger than <see cref="ClaimTimeout"/> (after that, the node holding it is taken for gone).
    /// Inserts and takeovers are atomic: of two concurrent retries, one claims and the other is a repeat.
    /// </summary>
    private static async Task<bool> TryClaimAsync(BridgeDbContext db, WebhookNotice notice, DateTimeOffset now, CancellationToken ct)
    {
        var existing = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.ReferenceCallUuid == notice.ReferenceCallUuid, ct);
        if (existing is not null)
        {
            if (existing.ProcessedAt is not null || existing.ReceivedAt > now - ClaimTimeout) return false;
            var claimedAt = existing.ReceivedAt;
            var taken = await db.WebhookDeliveries
                .Where(d => d.ReferenceCallUuid == notice.ReferenceCallUuid && d.ProcessedAt == null && d.ReceivedAt == claimedAt)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.ReceivedAt, now), ct);
            return taken == 1;
        }

        var delivery = new WebhookDelivery { ReferenceCallUuid = notice.ReferenceCallUuid, PayloadUuid = notice.PayloadUuid, ReceivedAt = now };
        db.WebhookDeliveries.Add(delivery);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // The same delivery arrived twice at once (or on two nodes): the other one handles it.
            db.Entry(delivery).State = EntityState.Detached;
            return false;
        }
    }

    /// <summary>Forgets an unprocessed delivery, so the platform's next retry of it is handled.</summary>
    internal static Task ReleaseAsync(BridgeDbContext db, string referenceCallUuid, CancellationToken ct) =>
        db.WebhookDeliveries.Where(d => d.ReferenceCallUuid == referenceCallUuid && d.ProcessedAt == null).ExecuteDeleteAsync(ct);

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The body as text; null when it is not well-formed UTF-8 (RFC 8259 §8.1), which no lenient decoding may paper over.</summary>
    private static string? Decode(byte[] body)
    {
        try
        {
            return StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The few fields the bridge uses from a delivery; null when the body is not a payload webhook.</summary>
    internal static WebhookNotice? Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var meta = Child(root, "meta");
            var response = Child(root, "payloadResponse");
            var application = Text(meta, "application_uuidv4");
            var payload = Text(meta, "payload_uuidv4") ?? Text(response, "payload_uuidv4");
            var other = Text(response, "payload_uuidv4");
            var reference = Text(response, "reference_call_uuidv4");
            if (application is null || payload is null || reference is null) return null;
            if (other is not null && !string.Equals(other, payload, StringComparison.OrdinalIgnoreCase)) return null;
            if (payload.Length > 64 || reference.Length > 64) return null;

            UserTokenNotice? token = null;
            var userToken = Child(root, "userToken");
            if (Text(userToken, "user_token") is { Length: <= 200 } value)
            {
                DateTimeOffset? expires = userToken.TryGetProperty("token_expiration", out var exp) && exp.ValueKind == JsonValueKind.Number
                    && exp.TryGetInt64(out var seconds) && seconds is > 0 and < 253_402_300_799
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null;
                token = new UserTokenNotice(value, expires);
            }
            return new WebhookNotice(application, payload, reference, token);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) ? child : default;

    private static string? Text(JsonElement parent, string name)
    {
        var value = Child(parent, name);
        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
    }

    private static IResult Refusal(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);
}

/// <summary>What a webhook body says (and nothing of it is believed before GET /payload).</summary>
internal sealed record WebhookNotice(string ApplicationUuid, string PayloadUuid, string ReferenceCallUuid, UserTokenNotice? UserToken);
