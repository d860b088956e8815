using System.Text.Json;
using System.Text.Json.Serialization;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// The kind-specific part of a sign-in request, kept as JSON in <c>signin_requests.data</c>. Secrets in it
/// (user tokens, the CIBA client notification token) are data-protected strings, never plain text.
/// </summary>
public sealed class SignInRequestData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // ---- browser sign-in (qr, push) ----

    /// <summary>Local URL the browser resumes after the sign-in (usually the authorize request).</summary>
    public string? ReturnUrl { get; set; }

    /// <summary>Display name of the client the user signs in to.</summary>
    public string? ClientName { get; set; }

    /// <summary>The deep link / sign page of the payload (<c>next.always</c>).</summary>
    public string? Next { get; set; }

    /// <summary>The payload's status websocket (<c>refs.websocket_status</c>).</summary>
    public string? WebSocket { get; set; }

    /// <summary>SHA-256 of the user token a push was sent with (dropped when the push fails).</summary>
    public string? PushTokenHash { get; set; }

    // ---- every kind ----

    /// <summary>Network the payload was pinned to (force_network), when one was.</summary>
    public string? ForcedNetwork { get; set; }

    /// <summary>The only wallet allowed to sign, when one was named (login_hint, CIBA).</summary>
    public string? HintedWallet { get; set; }

    /// <summary>Data-protected user token the signature issued, until it can be stored for an account.</summary>
    public string? IssuedUserToken { get; set; }

    /// <summary>Why the request failed (for the page and the audit trail).</summary>
    public string? Reason { get; set; }

    // ---- CIBA ----

    public List<string>? Scopes { get; set; }
    public string? BindingMessage { get; set; }

    /// <summary>poll or ping.</summary>
    public string? DeliveryMode { get; set; }

    /// <summary>Data-protected auth_req_id (the row is keyed by its hash; ping mode needs the value itself).</summary>
    public string? AuthReqId { get; set; }

    /// <summary>Data-protected client_notification_token (ping mode).</summary>
    public string? NotificationToken { get; set; }

    /// <summary>Current minimum seconds between token requests (grows by 5 on each slow_down).</summary>
    public int? Interval { get; set; }

    /// <summary>When the client last asked the token endpoint about this request.</summary>
    public DateTimeOffset? LastPolledAt { get; set; }

    public static SignInRequestData Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new();
        try
        {
            return JsonSerializer.Deserialize<SignInRequestData>(json, Json) ?? new();
        }
        catch (JsonException)
        {
            return new();
        }
    }

    public string Write() => JsonSerializer.Serialize(this, Json);
}
