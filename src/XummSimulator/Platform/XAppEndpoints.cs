using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Platform;

/// <summary>
/// <c>GET /xapp/ott/{token}</c>: resolves an xApp one-time token (once) to the user context and an
/// HS256 JWT signed with the application's API secret.
/// </summary>
internal static class XAppEndpoints
{
    public static IResult ResolveOneTimeToken(HttpContext context, string token, XummSimulatorState state)
    {
        var app = PlatformRequest.App(context);
        var redeemed = state.RedeemOneTimeToken(app.ApiKey, token);
        if (redeemed is null)
        {
            return PlatformError.NotFound("One-time token unknown, expired or already used.");
        }

        var (ott, userToken) = redeemed.Value;

        var now = state.Time.GetUtcNow();
        var network = ott.Network;
        var blocked = state.IsBlocked(ott.Account);
        var kyc = state.IsKycApproved(ott.Account);
        var claims = new JsonObject
        {
            ["client_id"] = app.ApiKey,
            ["app_uuidv4"] = app.ApiKey,
            ["app_name"] = app.Name,
            ["sub"] = ott.Account,
            ["account"] = ott.Account,
            ["usertoken_uuidv4"] = userToken.Token,
            ["network_type"] = network.Name,
            ["network_endpoint"] = network.Endpoint,
            ["network_id"] = network.NetworkId,
            ["iss"] = "https://xumm.app",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + state.Options.XAppTokenLifetime).ToUnixTimeSeconds(),
        };
        var jwt = CompactJwt.SignHs256(claims, Encoding.UTF8.GetBytes(app.ApiSecret));

        return Results.Json(new JsonObject
        {
            ["version"] = "2.8.0",
            ["locale"] = ott.Locale,
            ["currency"] = "USD",
            ["style"] = ott.Style,
            ["nodetype"] = network.Name,
            ["nodewss"] = network.Endpoint,
            ["user"] = UserId(ott.Account),
            ["user_name"] = "Simulated user",
            ["user_device"] = new JsonObject { ["currentLocale"] = ott.Locale, ["currentTimezone"] = "UTC", ["platform"] = "ios" },
            ["account"] = ott.Account,
            ["account_info"] = new JsonObject
            {
                ["account"] = ott.Account,
                ["name"] = null,
                ["domain"] = null,
                ["blocked"] = blocked,
                ["source"] = "",
                ["kycApproved"] = kyc,
                ["proSubscription"] = false,
            },
            ["accountaccess"] = "FULL",
            ["accounttype"] = "REGULAR",
            ["origin"] = new JsonObject { ["type"] = "QR", ["data"] = new JsonObject() },
            ["jwt"] = jwt,
        });
    }

    /// <summary>A stable per-wallet user id (the platform has one per app user).</summary>
    private static string UserId(string account)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("user:" + account));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
