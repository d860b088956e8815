namespace XummSimulator.Control;

internal sealed record ApproveRequest(string? Account, string? Network, bool? Deeplink);

internal sealed record OpenRequest(bool? Deeplink);

internal sealed record AutoApproveRequest(string? Account, string? Network, bool? Once);

internal sealed record OneTimeTokenRequest(string? ApiKey, string? Account, string? Network, string? Locale, string? Style);

internal sealed record FaultsRequest(
    bool? RotateKey,
    bool? SignWithUnknownKey,
    bool? ExpiredTokens,
    bool? Status500,
    int? DelayMs,
    bool? IncludeKeyId,
    bool? KeyIdInToken,
    bool? KeyIdInKeySet,
    bool? IgnoreSigners,
    bool? IgnoreForceNetwork,
    bool? ForgedSignIn,
    string[]? BlockedAccounts);

internal sealed record WalletRequest(string? KeyType);
