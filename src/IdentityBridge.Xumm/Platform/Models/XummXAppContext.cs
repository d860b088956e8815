using System.Text.Json;

namespace IdentityBridge.Xumm;

/// <summary>
/// What <c>GET /xapp/ott/{token}</c> says about the user who opened an xApp. The platform has answered in
/// more than one shape over time (flat, or nested under <c>ott</c> next to <c>jwt</c> and <c>app</c>), so every
/// field is optional and read from whichever shape arrives. The <see cref="Jwt"/>, once verified with
/// <see cref="XAppJwtValidator"/>, is the authority; the other fields are context.
/// </summary>
public sealed record XummXAppContext
{
    /// <summary>The r-address selected in the app.</summary>
    public string? Account { get; init; }

    /// <summary>Network type (MAINNET, TESTNET, ...).</summary>
    public string? NetworkType { get; init; }

    /// <summary>Websocket endpoint of the network.</summary>
    public string? NetworkEndpoint { get; init; }

    /// <summary>Numeric network id.</summary>
    public int? NetworkId { get; init; }

    /// <summary>User token for push delivery, when the answer carries one.</summary>
    public string? UserToken { get; init; }

    /// <summary>The platform's identifier of the app user.</summary>
    public string? User { get; init; }

    /// <summary>The xApp JWT (HS256, signed with the API secret).</summary>
    public string? Jwt { get; init; }

    /// <summary>Display name of the application.</summary>
    public string? AppName { get; init; }

    /// <summary>How the account is held (e.g. REGULAR, TANGEM).</summary>
    public string? AccountType { get; init; }

    /// <summary>FULL when the account can sign in the app, READONLY otherwise.</summary>
    public string? AccountAccess { get; init; }

    /// <summary>The user's language.</summary>
    public string? Locale { get; init; }

    /// <summary>The app's theme.</summary>
    public string? Style { get; init; }

    /// <summary>A payload the xApp was opened from, when it was.</summary>
    public string? OriginPayload { get; init; }

    /// <summary>True when the platform reports the account as blocked (<c>account_info.blocked</c>: on a scam blocklist).</summary>
    public bool Blocked { get; init; }

    internal static XummXAppContext? FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var ott = root.TryGetProperty("ott", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        var accountInfo = Child(ott, "account_info") is { ValueKind: JsonValueKind.Object } info ? info : Child(root, "account_info");
        var origin = Child(ott, "origin");
        var context = new XummXAppContext
        {
            Account = Text(ott, "account") ?? Text(accountInfo, "account") ?? Text(root, "account"),
            NetworkType = Text(ott, "nodetype") ?? Text(ott, "network_type") ?? Text(ott, "networkType") ?? Text(root, "network_type"),
            NetworkEndpoint = Text(ott, "nodewss") ?? Text(ott, "network_endpoint") ?? Text(ott, "networkEndpoint") ?? Text(root, "network_endpoint"),
            NetworkId = Number(ott, "network_id") ?? Number(ott, "networkId") ?? Number(root, "network_id"),
            UserToken = Text(ott, "user_token") ?? Text(ott, "usertoken_uuidv4") ?? Text(root, "user_token") ?? Text(root, "usertoken_uuidv4"),
            User = Text(ott, "user"),
            Jwt = Text(root, "jwt") ?? Text(ott, "jwt"),
            AppName = Text(Child(root, "app"), "name") ?? Text(ott, "app_name") ?? Text(root, "app_name"),
            AccountType = Text(ott, "accounttype"),
            AccountAccess = Text(ott, "accountaccess"),
            Locale = Text(ott, "locale"),
            Style = Text(ott, "style"),
            OriginPayload = Text(Child(origin, "data"), "payload"),
            Blocked = IsTrue(accountInfo, "blocked"),
        };
        return context.Account is null && context.Jwt is null ? null : context;
    }

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) ? child : default;

    private static string? Text(JsonElement parent, string name)
    {
        var value = Child(parent, name);
        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
    }

    private static bool IsTrue(JsonElement parent, string name)
    {
        var value = Child(parent, name);
        return value.ValueKind == JsonValueKind.True
            || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase));
    }

    private static int? Number(JsonElement parent, string name)
    {
        var value = Child(parent, name);
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var number) => number,
            JsonValueKind.String when int.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }
}
