using System.Text.Json;
using System.Text.Json.Nodes;
using XummSimulator.Internal;
using XummSimulator.Model;

namespace XummSimulator.Platform;

/// <summary>Turns a <c>POST /payload</c> body into a <see cref="PayloadDraft"/>, or says what is wrong.</summary>
internal static class PayloadDraftParser
{
    public static (PayloadDraft? Draft, string? Error) Parse(JsonNode? body)
    {
        if (body is not JsonObject root)
        {
            return (null, "The body must be a JSON object.");
        }

        if (root["txblob"] is not null)
        {
            return (null, "txblob payloads are not supported by the simulator; send txjson.");
        }

        if (root["txjson"] is not JsonObject txjson || Text(txjson["TransactionType"]) is not { Length: > 0 } txType)
        {
            return (null, "txjson with a TransactionType is required.");
        }

        var options = root["options"] as JsonObject;
        if (root["options"] is not null and not JsonObject)
        {
            return (null, "options must be an object.");
        }

        int? expire = null;
        if (options?["expire"] is { } expireNode)
        {
            if (!TryInt(expireNode, out var minutes) || minutes <= 0)
            {
                return (null, "options.expire must be a positive number of minutes.");
            }

            expire = minutes;
        }

        XummNetwork? forceNetwork = null;
        if (Text(options?["force_network"]) is { Length: > 0 } forced && !XummNetworks.TryFind(forced, out forceNetwork))
        {
            return (null, $"Unknown options.force_network '{forced}'.");
        }

        List<string>? signers = null;
        if (options?["signers"] is { } signersNode)
        {
            if (signersNode is not JsonArray array || array.Any(s => !XrplAddress.IsValid(Text(s))))
            {
                return (null, "options.signers must be an array of r-addresses.");
            }

            signers = [.. array.Select(s => Text(s)!)];
        }

        var returnUrl = options?["return_url"] as JsonObject;
        var customMeta = root["custom_meta"] as JsonObject;
        if (Text(customMeta?["identifier"]) is { Length: > 40 })
        {
            return (null, "custom_meta.identifier is longer than 40 characters.");
        }

        var draft = new PayloadDraft
        {
            TxType = txType,
            TxDestination = Text(txjson["Destination"]) ?? "",
            RequestJson = txjson.ToJsonString(),
            Submit = Bool(options?["submit"]) ?? true,
            Multisign = Bool(options?["multisign"]) ?? false,
            ExpireMinutes = expire,
            ReturnUrlApp = Text(returnUrl?["app"]),
            ReturnUrlWeb = Text(returnUrl?["web"]),
            ForceNetwork = forceNetwork,
            Signers = signers,
            CustomIdentifier = Text(customMeta?["identifier"]),
            CustomInstruction = Text(customMeta?["instruction"]),
            CustomBlobJson = customMeta?["blob"]?.ToJsonString(),
            UserToken = Text(root["user_token"]),
        };
        return (draft, null);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static bool? Bool(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static bool TryInt(JsonNode node, out int value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }
}
