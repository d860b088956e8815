using IdentityBridge.Audit;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>A user token a webhook announced, with the expiry it gave (used only when GET /payload confirms the same token).</summary>
public sealed record UserTokenNotice(string Token, DateTimeOffset? ExpiresAt);

/// <summary>The request behind a payload after a look, or null when the look could not be made.</summary>
public sealed record ResolveResult(bool Looked, SignInRequest? Request);

/// <summary>
/// The one place where a payload's state changes anything: GET /payload/{uuid}, <see cref="PayloadChecks"/>
/// (the signed SignIn blob included), then the request moves (once) and a signature's user token is stored. Webhooks, websocket messages, polling,
/// the browser and the CIBA token endpoint all end here; none of them is believed on its own.
/// </summary>
public sealed class PayloadResolver(
    XummPlatformClient xumm,
    IOptions<XummPlatformOptions> platform,
    IOptions<PayloadSignInOptions> options,
    SignInRequestStore requests,
    UserTokenStore userTokens,
    PayloadPollGate gate,
    IDataProtectionProvider dataProtection,
    IEnumerable<ISignInResolutionObserver> observers,
    AuditLog audit,
    TimeProvider time,
    ILogger<PayloadResolver> logger)
{
    internal const string IssuedTokenPurpose = "IdentityBridge.SignInRequest.UserToken.v1";
    private readonly IDataProtector _protector = dataProtection.CreateProtector(IssuedTokenPurpose);

    /// <summary>
    /// Looks at the payload now and applies what it says. The poll gate keeps a note only of payloads whose request
    /// is still pending: one that resolved, has no request or is unknown is never polled again, so its note would only pile up.
    /// </summary>
    public async Task<ResolveResult> ResolveAsync(string payloadUuid, UserTokenNotice? notice, CancellationToken ct)
    {
        gate.Looked(payloadUuid);
        var result = await LookAsync(payloadUuid, notice, ct);
        if (result.Request is not { Status: SignInStatuses.Pending }) gate.Forget(payloadUuid);
        return result;
    }

    private async Task<ResolveResult> LookAsync(string payloadUuid, UserTokenNotice? notice, CancellationToken ct)
    {
        var answer = await xumm.GetPayloadAsync(payloadUuid, ct);
        if (!answer.IsSuccess)
        {
            logger.LogWarning("Could not read payload {PayloadUuid}: {Kind} {Status}", payloadUuid, answer.Error.Kind, answer.Error.StatusCode);
            return new(false, await requests.FindByPayloadAsync(payloadUuid, ct));
        }

        var details = answer.Value;
        var request = await FindRequestAsync(payloadUuid, details.CustomMeta?.Identifier, ct);
        var data = SignInRequestData.Read(request?.Data);
        var verdict = PayloadChecks.Evaluate(details, new PayloadExpectations(
            platform.Value.ApiKey, payloadUuid, request?.Id, data.ForcedNetwork, data.HintedWallet, options.Value.RegularKeySignatures));
        var now = time.GetUtcNow();

        if (request is null)
        {
            // A payload of ours without a bridge-hosted sign-in (e.g. an OAuth2 sign-in): keep its user token.
            if (verdict.Outcome == PayloadOutcome.Signed)
                await userTokens.RecordSignatureAsync(verdict.Wallet!, verdict.IssuedUserToken, SignedAt(verdict, now), ExpiryFor(verdict, notice), ct);
            return new(true, null);
        }
        if (request.Status != SignInStatuses.Pending) return new(true, request);

        string status;
        switch (verdict.Outcome)
        {
            case PayloadOutcome.Pending:
                if (request.ExpiresAt > now) return new(true, request);
                // Our deadline passed first (CIBA expiry is in seconds, the payload's in minutes).
                await xumm.CancelPayloadAsync(payloadUuid, ct);
                status = SignInStatuses.Expired;
                break;
            case PayloadOutcome.Signed when SignedAt(verdict, now) > request.ExpiresAt:
                // Signed after our own deadline (CIBA's expiry is in seconds, the payload's in whole minutes): too late.
                status = SignInStatuses.Expired;
                break;
            case PayloadOutcome.Signed:
                status = SignInStatuses.Signed;
                if (verdict.IssuedUserToken is { } token)
                {
                    var stored = await userTokens.RecordSignatureAsync(verdict.Wallet!, token, SignedAt(verdict, now), ExpiryFor(verdict, notice), ct);
                    // Not stored yet when the wallet has no account: completion stores it once the account exists.
                    data.IssuedUserToken = stored ? null : _protector.Protect(token);
                }
                break;
            case PayloadOutcome.Rejected:
                status = SignInStatuses.Rejected;
                break;
            case PayloadOutcome.Expired:
                status = SignInStatuses.Expired;
                break;
            case PayloadOutcome.Cancelled when request.ExpiresAt <= now:
                // Cancelled after our deadline: the bridge itself gave up on it (another node or the follower
                // got there first), so the request expired; it was not refused.
                status = SignInStatuses.Expired;
                break;
            case PayloadOutcome.Cancelled:
                status = SignInStatuses.Cancelled;
                break;
            default:
                status = SignInStatuses.Failed;
                data.Reason = verdict.Reason;
                break;
        }

        var signed = status == SignInStatuses.Signed;
        var resolvedAt = signed ? SignedAt(verdict, now) : now;
        var wallet = signed ? verdict.Wallet : request.Wallet;
        var network = signed ? verdict.Network : request.Network;
        if (await requests.TryResolveAsync(request, status, wallet, network, resolvedAt, data, ct))
        {
            // Audited only by the look that moved the request: other looks (another path, another node) that found the
            // same payload lose the conditional update, so each refusal or regular-key signature is recorded once.
            logger.LogInformation("Sign-in request {RequestId} ({Kind}) is {Status}", request.Id, request.Kind, status);
            if (verdict.Outcome == PayloadOutcome.Refused)
                await audit.WriteAsync(SignInAuditTypes.PayloadRefused, "xumm", request.AccountId, request.ClientId, success: false,
                    reason: verdict.Reason, details: new { payload = payloadUuid, request = request.Id, kind = request.Kind, wallet = verdict.Wallet, network = verdict.Network }, ct: ct);
            if (signed && verdict.RegularKey is { } key)
                await audit.WriteAsync(SignInAuditTypes.RegularKeySignature, verdict.Wallet!, request.AccountId, request.ClientId, success: true,
                    reason: "Signed with another key than the wallet's master key; that it is the account's regular key rests on the platform's word.",
                    details: new { payload = payloadUuid, request = request.Id, kind = request.Kind, wallet = verdict.Wallet, key }, ct: ct);
            var resolved = await requests.FindAsync(request.Id, ct) ?? request;
            foreach (var observer in observers)
                await observer.OnResolvedAsync(resolved, status, ct);
            return new(true, resolved);
        }
        return new(true, await requests.FindAsync(request.Id, ct));
    }

    /// <summary>Polls the payload when a look is due (see <see cref="PayloadPollGate"/>); otherwise returns the request as stored.</summary>
    public async Task<SignInRequest> RefreshIfDueAsync(SignInRequest request, CancellationToken ct)
    {
        if (request.Status != SignInStatuses.Pending || request.PayloadUuid is not { } uuid || !gate.TryEnter(uuid)) return request;
        var result = await ResolveAsync(uuid, null, ct);
        return result.Request ?? request;
    }

    /// <summary>The user token kept on a signed request, decrypted (null when none or unreadable).</summary>
    public string? IssuedUserToken(SignInRequestData data)
    {
        if (data.IssuedUserToken is null) return null;
        try
        {
            return _protector.Unprotect(data.IssuedUserToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private async Task<SignInRequest?> FindRequestAsync(string payloadUuid, string? identifier, CancellationToken ct)
    {
        if (identifier is { Length: > 0 and <= 64 } && await requests.FindAsync(identifier, ct) is { } byId)
            return byId.PayloadUuid is null || string.Equals(byId.PayloadUuid, payloadUuid, StringComparison.OrdinalIgnoreCase) ? byId : null;
        return await requests.FindByPayloadAsync(payloadUuid, ct);
    }

    private static DateTimeOffset SignedAt(PayloadVerdict verdict, DateTimeOffset now) =>
        verdict.ResolvedAt is { } at && at <= now ? at : now;

    /// <summary>The webhook's expiry counts only for the very token GET /payload confirmed.</summary>
    private static DateTimeOffset? ExpiryFor(PayloadVerdict verdict, UserTokenNotice? notice) =>
        notice is not null && verdict.IssuedUserToken is not null && string.Equals(notice.Token, verdict.IssuedUserToken, StringComparison.Ordinal)
            ? notice.ExpiresAt
            : null;
}
