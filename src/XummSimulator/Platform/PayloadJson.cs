using System.Globalization;
using System.Text.Json.Nodes;
using XummSimulator.Internal;
using XummSimulator.Model;

namespace XummSimulator.Platform;

/// <summary>The JSON shapes the platform uses for payloads, in its own field names.</summary>
internal static class PayloadJson
{
    public static JsonObject Created(SimulatedPayload payload, SimulatorUrls urls) => new()
    {
        ["uuid"] = payload.Uuid,
        ["next"] = new JsonObject { ["always"] = urls.SignPage(payload.Uuid) },
        ["refs"] = new JsonObject
        {
            ["qr_png"] = urls.QrPng(payload.Uuid),
            ["qr_matrix"] = urls.QrMatrix(payload.Uuid),
            ["qr_uri_quality_opts"] = new JsonArray("m", "q", "h"),
            ["websocket_status"] = urls.WebSocket(payload.Uuid),
        },
        ["pushed"] = payload.Pushed,
    };

    public static JsonObject Full(SimulatedPayload payload, XummSimulatorApp app, DateTimeOffset now) => new()
    {
        ["meta"] = Meta(payload, now),
        ["application"] = new JsonObject
        {
            ["name"] = app.Name,
            ["description"] = app.Description,
            ["disabled"] = app.Disabled ? 1 : 0,
            ["uuidv4"] = app.ApiKey,
            ["icon_url"] = app.IconUrl,
            ["issued_user_token"] = payload.IssuedUserToken,
        },
        ["payload"] = new JsonObject
        {
            ["tx_type"] = payload.Draft.TxType,
            ["tx_destination"] = payload.Draft.TxDestination,
            ["tx_destination_tag"] = null,
            ["request_json"] = JsonNode.Parse(payload.Draft.RequestJson),
            ["origintype"] = payload.OriginType,
            ["signmethod"] = payload.SignMethod,
            ["created_at"] = Seconds(payload.CreatedAt),
            ["expires_at"] = Seconds(payload.ExpiresAt),
            ["expires_in_seconds"] = ExpiresInSeconds(payload, now),
        },
        ["response"] = Response(payload),
        ["custom_meta"] = CustomMeta(payload),
    };

    public static JsonObject Meta(SimulatedPayload payload, DateTimeOffset now)
    {
        var returnUrls = ReturnUrls(payload);
        return new JsonObject
        {
            ["exists"] = true,
            ["uuid"] = payload.Uuid,
            ["multisign"] = payload.Draft.Multisign,
            ["submit"] = payload.Draft.Submit,
            ["pathfinding"] = null,
            ["destination"] = payload.Draft.TxDestination,
            ["resolved_destination"] = payload.Draft.TxDestination,
            ["resolved"] = payload.Resolved,
            ["signed"] = payload.Signed,
            ["cancelled"] = payload.Cancelled,
            ["expired"] = payload.IsExpired(now),
            ["pushed"] = payload.Pushed,
            ["app_opened"] = payload.Opened,
            ["opened_by_deeplink"] = payload.Opened ? payload.OpenedByDeeplink : null,
            ["return_url_app"] = returnUrls["app"]?.DeepClone(),
            ["return_url_web"] = returnUrls["web"]?.DeepClone(),
            ["is_xapp"] = false,
            ["signers"] = payload.Draft.Signers is { } signers ? new JsonArray([.. signers.Select(s => (JsonNode?)s)]) : null,
        };
    }

    public static JsonObject Response(SimulatedPayload payload) => new()
    {
        ["hex"] = payload.Hex,
        ["txid"] = payload.TxId,
        ["resolved_at"] = payload.ResolvedAt is { } at ? Milliseconds(at) : null,
        ["dispatched_to"] = payload.Signed ? "" : null,
        ["dispatched_result"] = payload.Signed ? "" : null,
        ["dispatched_nodetype"] = payload.Signed ? "" : null,
        ["multisign_account"] = payload.Signed ? "" : null,
        ["account"] = payload.Account,
        ["environment_nodeuri"] = payload.Network?.Endpoint,
        ["environment_nodetype"] = payload.Network?.Name,
        ["environment_networkid"] = payload.Network?.NetworkId,
    };

    public static JsonObject CustomMeta(SimulatedPayload payload) => new()
    {
        ["identifier"] = payload.Draft.CustomIdentifier,
        ["blob"] = payload.Draft.CustomBlobJson is { } blob ? JsonNode.Parse(blob) : null,
        ["instruction"] = payload.Draft.CustomInstruction,
    };

    /// <summary>Return URLs with the platform's placeholders filled in: {id}, {cid}, {txid}, {txblob}.</summary>
    public static JsonObject ReturnUrls(SimulatedPayload payload) => new()
    {
        ["app"] = Fill(payload.Draft.ReturnUrlApp, payload),
        ["web"] = Fill(payload.Draft.ReturnUrlWeb, payload),
    };

    /// <summary>The message the payload websocket sends when the payload resolves.</summary>
    public static JsonObject Resolution(SimulatedPayload payload) => new()
    {
        ["payload_uuidv4"] = payload.Uuid,
        ["reference_call_uuidv4"] = payload.ReferenceCallUuid,
        ["signed"] = payload.Signed,
        ["user_token"] = payload.IssuedUserToken is not null,
        ["return_url"] = ReturnUrls(payload),
        ["txid"] = payload.TxId,
        ["opened_by_deeplink"] = payload.OpenedByDeeplink,
        ["custom_meta"] = CustomMeta(payload),
    };

    /// <summary>The webhook body: a summary, not the whole payload.</summary>
    public static JsonObject WebhookBody(SimulatedPayload payload, string webhookUrl, SimulatedUserToken? userToken) => new()
    {
        ["meta"] = new JsonObject
        {
            ["url"] = webhookUrl,
            ["application_uuidv4"] = payload.ApiKey,
            ["payload_uuidv4"] = payload.Uuid,
            ["opened_by_deeplink"] = payload.OpenedByDeeplink,
        },
        ["custom_meta"] = CustomMeta(payload),
        ["payloadResponse"] = new JsonObject
        {
            ["payload_uuidv4"] = payload.Uuid,
            ["reference_call_uuidv4"] = payload.ReferenceCallUuid,
            ["signed"] = payload.Signed,
            ["user_token"] = userToken is not null,
            ["return_url"] = ReturnUrls(payload),
            ["txid"] = payload.TxId,
        },
        ["userToken"] = userToken is null ? null : new JsonObject
        {
            ["user_token"] = userToken.Token,
            ["token_issued"] = userToken.IssuedAt.ToUnixTimeSeconds(),
            ["token_expiration"] = userToken.ExpiresAt.ToUnixTimeSeconds(),
        },
    };

    public static long ExpiresInSeconds(SimulatedPayload payload, DateTimeOffset now) =>
        (long)Math.Floor((payload.ExpiresAt - now).TotalSeconds);

    private static string? Fill(string? template, SimulatedPayload payload) =>
        template?
            .Replace("{id}", payload.Uuid, StringComparison.Ordinal)
            .Replace("{cid}", Uri.EscapeDataString(payload.Draft.CustomIdentifier ?? ""), StringComparison.Ordinal)
            .Replace("{txid}", payload.TxId ?? "", StringComparison.Ordinal)
            .Replace("{txblob}", payload.Hex ?? "", StringComparison.Ordinal);

    private static string Seconds(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Milliseconds(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
