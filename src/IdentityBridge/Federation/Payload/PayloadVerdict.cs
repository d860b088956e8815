using System.Text.Json;
using IdentityBridge.Xumm;

namespace IdentityBridge.Federation.Payload;

public enum PayloadOutcome
{
    /// <summary>Not resolved yet.</summary>
    Pending,
    /// <summary>Signed, and every check passed.</summary>
    Signed,
    Rejected,
    Expired,
    Cancelled,
    /// <summary>Resolved or signed, but a check failed: never a sign-in.</summary>
    Refused,
}

/// <summary>
/// What GET /payload/{uuid} says about a sign-in, after the bridge's checks. <see cref="RegularKey"/> is the address
/// of the key that signed when it is not the wallet's own master key.
/// </summary>
public sealed record PayloadVerdict(PayloadOutcome Outcome, string? Wallet = null, string? Network = null,
    string? IssuedUserToken = null, DateTimeOffset? ResolvedAt = null, string? Reason = null, string? RegularKey = null);

/// <summary>What a SignIn payload must look like to count as a sign-in.</summary>
public sealed record PayloadExpectations(string ApiKey, string PayloadUuid, string? Identifier, string? ForcedNetwork, string? HintedWallet,
    RegularKeySignatures RegularKeys = RegularKeySignatures.Accept);

/// <summary>
/// The checks a resolved SignIn payload must pass before anything is believed: resolved and signed, made by
/// our application (<c>application.uuidv4</c> is our API key), a <c>SignIn</c> transaction, carrying our
/// request id, signed by a valid r-address (the hinted one, when one was named) on the pinned network, and
/// backed by its signed blob: <c>response.hex</c> must be a SignIn whose signature and <c>txid</c> verify
/// (<see cref="XummSignInBlob"/>) and whose <c>Account</c> is <c>response.account</c>.
/// Webhook bodies and websocket messages only say "look again"; this is what decides.
/// <para>
/// A blob signed with another key than the account's master key is accepted unless the operator refuses such
/// signatures (<see cref="PayloadSignInOptions.RegularKeySignatures"/>): Xumm signs with the account's
/// regular key when the master key is disabled, and only the ledger knows which regular key an account has set,
/// which the bridge does not ask. Such a signature proves no more than the platform's answer it came with, so the
/// verdict names the key (<see cref="PayloadVerdict.RegularKey"/>) and the resolver audits it.
/// </para>
/// </summary>
public static class PayloadChecks
{
    public static PayloadVerdict Evaluate(XummPayloadDetails details, PayloadExpectations expected)
    {
        var meta = details.Meta;
        if (meta.Exists == false) return Refuse("The platform does not know the payload.");
        if (meta.Uuid is { Length: > 0 } uuid && !string.Equals(uuid, expected.PayloadUuid, StringComparison.OrdinalIgnoreCase))
            return Refuse("The platform answered about another payload.");
        if (!string.Equals(details.Application?.Uuidv4, expected.ApiKey, StringComparison.OrdinalIgnoreCase))
            return Refuse("The payload belongs to another application.");
        if (!string.Equals(TxType(details.Payload), "SignIn", StringComparison.Ordinal))
            return Refuse("The payload is not a SignIn request.");
        if (expected.Identifier is not null && !string.Equals(details.CustomMeta?.Identifier, expected.Identifier, StringComparison.Ordinal))
            return Refuse("The payload carries another request's identifier.");

        if (!meta.Resolved || !meta.Signed)
        {
            if (meta.Cancelled) return new(PayloadOutcome.Cancelled);
            if (meta.Expired) return new(PayloadOutcome.Expired);
            return meta.Resolved ? new(PayloadOutcome.Rejected, ResolvedAt: details.Response?.ResolvedAt) : new(PayloadOutcome.Pending);
        }

        var response = details.Response;
        var wallet = response?.Account;
        if (wallet is null || !XrplAddress.IsValid(wallet)) return Refuse("The signature names no valid r-address.");
        var blob = XummSignInBlob.Verify(response!.Hex, response.Txid);
        if (!blob.IsValid) return Refuse(blob.Failure, wallet);
        if (!string.Equals(blob.Transaction.Account, wallet, StringComparison.Ordinal))
            return Refuse("The signed blob is for another account than the one the platform named.", wallet);
        var regularKey = blob.Transaction.SignedWithMasterKey ? null : blob.Transaction.SigningKeyAccount;

        var network = string.IsNullOrWhiteSpace(response.EnvironmentNodetype) ? null : response.EnvironmentNodetype.Trim().ToUpperInvariant();
        if (expected.ForcedNetwork is { } pinned && !string.Equals(network, pinned, StringComparison.OrdinalIgnoreCase))
            return Refuse($"Signed on {network ?? "an unknown network"}, but {pinned} was required.", wallet, network);
        if (expected.HintedWallet is { } hinted && !string.Equals(wallet, hinted, StringComparison.Ordinal))
            return Refuse("Signed by another wallet than the one asked for.", wallet, network);
        if (regularKey is not null && expected.RegularKeys == RegularKeySignatures.Refuse)
            return Refuse("Signed with a regular key (not the account's master key), which this bridge does not accept.", wallet, network);

        var token = details.Application?.IssuedUserToken;
        return new(PayloadOutcome.Signed, wallet, network, string.IsNullOrWhiteSpace(token) ? null : token, response.ResolvedAt, RegularKey: regularKey);
    }

    private static PayloadVerdict Refuse(string reason, string? wallet = null, string? network = null) =>
        new(PayloadOutcome.Refused, wallet, network, Reason: reason);

    private static string? TxType(JsonElement? payload) =>
        payload is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("tx_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
}
