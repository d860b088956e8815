using System.Text.Json;
using IdentityBridge.Xumm;

namespace IdentityBridge.Federation;

/// <summary>What a validated Xumm sign-in tells about the wallet, besides its address and network.</summary>
public sealed record WalletProfileHints(bool KycApproved, string? Name, string? Picture);

/// <summary>
/// The bridge's own checks on what Xumm returned, after the handler verified the token itself. The token's
/// <c>email</c> (<c>{client_id}+{r-address}@xumm.me</c>) is synthetic: no rule here reads it, and nothing keeps it.
/// </summary>
public static class XummIdentityRules
{
    private const int MaxNameLength = 100;
    private const int MaxPictureLength = 1024;

    /// <summary>
    /// The token's subject must be a valid r-address; when the login named a wallet (sent as <c>signers</c>), it
    /// must be that wallet; and when a network was pinned with <c>force_network</c>, the token's
    /// <c>network_type</c> must name that same network. The platform is asked to enforce both, but the bridge does
    /// not take that on trust.
    /// </summary>
    public static SignInFailure? CheckToken(string? subject, string? networkType, string? pinnedNetwork, string? hintedWallet = null)
    {
        if (!XrplAddress.IsValid(subject))
            return new(SignInFailureReason.InvalidIdentity, "Xumm's token does not name a valid XRPL r-address.");
        if (hintedWallet is not null && !string.Equals(subject, hintedWallet, StringComparison.Ordinal))
            return SignInFailure.Of(SignInFailureReason.WrongWallet);
        if (pinnedNetwork is not null && !string.Equals(NormalizeNetwork(networkType), pinnedNetwork, StringComparison.Ordinal))
            return new(SignInFailureReason.WrongNetwork,
                $"The wallet signed on {(string.IsNullOrEmpty(networkType) ? "an unnamed network" : NormalizeNetwork(networkType))}, but this application requires {pinnedNetwork}.");
        return null;
    }

    /// <summary>A wallet Xumm reports as <c>blocked</c> is refused.</summary>
    public static SignInFailure? CheckUserInfo(JsonElement userInfo)
    {
        if (userInfo.ValueKind != JsonValueKind.Object)
            return new(SignInFailureReason.InvalidResponse, "Xumm's userinfo is not a JSON object.");
        if (IsTrue(userInfo, "blocked"))
            return SignInFailure.Of(SignInFailureReason.Blocked);
        return null;
    }

    /// <summary>Profile hints from userinfo: KYC status, display name, avatar URL (only well-formed http(s) URLs).</summary>
    public static WalletProfileHints ReadProfile(JsonElement userInfo)
    {
        if (userInfo.ValueKind != JsonValueKind.Object) return new(false, null, null);
        var name = String(userInfo, "name")?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl)) name = null;
        var picture = String(userInfo, "picture");
        if (picture is null || picture.Length > MaxPictureLength || !Uri.TryCreate(picture, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            picture = null;
        return new(IsTrue(userInfo, "kycApproved"), name, picture);
    }

    /// <summary>Network names are compared in upper case (MAINNET, TESTNET, XAHAU, ...).</summary>
    public static string? NormalizeNetwork(string? network) =>
        string.IsNullOrWhiteSpace(network) ? null : network.Trim().ToUpperInvariant();

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
        && (value.ValueKind == JsonValueKind.True
            || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
