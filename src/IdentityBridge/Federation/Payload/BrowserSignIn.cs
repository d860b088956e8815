using IdentityBridge.Accounts;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Security;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>Paths of the bridge-hosted sign-in.</summary>
public static class SignInPaths
{
    public const string Qr = "/signin/qr";
    public const string Push = "/signin/push";
    public const string Status = "/signin/status";
    public const string Complete = "/signin/complete";

    public static string Page(SignInRequest request) => Page(request.Kind, request.Id);

    public static string Page(string kind, string id) => (kind == SignInKinds.Push ? Push : Qr) + "/" + Uri.EscapeDataString(id);
}

/// <summary>Why a sign-in could not start.</summary>
public sealed record StartResult(SignInRequest? Request, string? Problem);

/// <summary>How a completion attempt ended.</summary>
public sealed record CompletionResult(string? RedirectTo, string? Problem);

/// <summary>
/// The browser side of the bridge-hosted sign-in (method <c>xumm-payload</c>): starts a SignIn payload for a
/// login, as a push to the wallet this browser signed in with before when the bridge holds a live user token
/// for it (within the wallet's push budget) and as a QR code / deep link otherwise; binds the request to the
/// browser; and completes it once GET /payload confirmed the signature: account mapping, bridge session,
/// return to the authorize request.
/// </summary>
public sealed class BrowserSignIn(
    SignInRequestStore requests,
    SignInPayloads payloads,
    PayloadFollower follower,
    PayloadResolver resolver,
    UserTokenStore userTokens,
    SignInCookies cookies,
    LoginContextReader logins,
    ClientStore clients,
    AccountService accounts,
    SessionService sessions,
    XummPlatformClient xumm,
    AuditLog audit,
    WalletPushBudget pushBudget,
    BrowserPayloadBudget payloadBudget,
    IOptions<BridgeOptions> bridge,
    IOptions<PayloadSignInOptions> options,
    TimeProvider time,
    ILogger<BrowserSignIn> logger)
{
    private const string TooManyStarting = "Too many sign-ins are starting right now. Please try again in a minute.";

    /// <summary>Extra time the follower keeps watching after our expiry, to read the platform's own verdict.</summary>
    private static readonly TimeSpan FollowGrace = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Starts (or resumes) a sign-in for <paramref name="login"/>: a push when this browser remembers the wallet,
    /// the bridge holds a live user token for it and its push budget allows (unless <paramref name="forceQr"/>), a
    /// QR code otherwise. A pending request of this browser for the same return URL is resumed, not started anew.
    /// A push the platform did not deliver (<c>pushed: false</c>) drops the token and falls back to the QR code of
    /// the same payload at once.
    /// </summary>
    public async Task<StartResult> StartAsync(HttpContext context, LoginContext login, bool forceQr, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var bound in await PendingAsync(context, login, ct))
        {
            if (!forceQr || bound.Kind == SignInKinds.Qr) return new(bound, null);
            await CancelAsync(bound, ct);
        }

        var wallet = PushableWallet(context, login);
        var live = !forceQr && wallet is not null ? await userTokens.FindLiveAsync(wallet, ct) : null;
        if (live is not null && !pushBudget.TryTake(live.Wallet))
        {
            logger.LogWarning("Push sign-in budget of a wallet spent; showing a QR code instead");
            live = null;
        }
        if (!payloadBudget.TryTake())
        {
            logger.LogWarning("Browser sign-in budget of this minute spent (Bridge:RateLimits:BrowserPayloadsPerMinute); no payload created");
            return new(null, TooManyStarting);
        }
        var request = new SignInRequest
        {
            Id = UrlSafe.NewId(16),
            Kind = live is null ? SignInKinds.Qr : SignInKinds.Push,
            ClientId = login.Client?.ClientId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.PayloadExpiry,
        };
        var data = new SignInRequestData
        {
            ReturnUrl = login.ReturnUrl,
            ClientName = login.ClientName,
            ForcedNetwork = login.RequiredNetwork,
            HintedWallet = login.HintedWallet,
        };
        request.Data = data.Write();
        await requests.AddAsync(request, ct);

        var created = await payloads.CreateAsync(new SignInPayloadSpec(
            request.Id,
            $"Sign in to {login.ClientName}",
            options.Value.PayloadExpiry,
            ReturnUrlWeb: bridge.Value.Issuer.TrimEnd('/') + SignInPaths.Page(request),
            ForcedNetwork: login.RequiredNetwork,
            Signer: login.HintedWallet,
            UserToken: live?.Token), ct);
        if (!created.IsSuccess)
        {
            data.Reason = created.Error.Kind == XummErrorKind.RateLimited ? "rate_limited" : "unavailable";
            await requests.TryResolveAsync(request, SignInStatuses.Failed, null, null, now, data, ct);
            logger.LogWarning("Could not create a SignIn payload: {Kind} {Status}", created.Error.Kind, created.Error.StatusCode);
            return new(null, created.Error.Kind == XummErrorKind.RateLimited ? TooManyStarting : "Xumm cannot be reached right now. Please try again in a moment.");
        }

        var payload = created.Value;
        var kind = request.Kind;
        if (live is not null && !payload.Pushed)
        {
            // The user revoked the token in the app (or it lapsed): never use it again, show the QR code now.
            await userTokens.DropAsync(live.TokenHash, "push_not_delivered", ct);
            kind = SignInKinds.Qr;
        }
        data.Next = payload.Next.Always;
        data.WebSocket = payload.Refs?.WebsocketStatus;
        data.PushTokenHash = kind == SignInKinds.Push ? live!.TokenHash : null;
        await requests.SetPayloadAsync(request.Id, payload.Uuid, kind, data, ct);

        cookies.Bind(context, request.Id, request.ExpiresAt);
        follower.Follow(request.Id, payload.Uuid, data.WebSocket, request.ExpiresAt + FollowGrace);
        return new(await requests.FindAsync(request.Id, ct), null);
    }

    /// <summary>
    /// The pending request of this browser that <see cref="StartAsync"/> would resume for <paramref name="login"/>;
    /// null when it would create a payload (or cancel one). Asks nothing of Xumm.
    /// </summary>
    public async Task<SignInRequest?> FindResumableAsync(HttpContext context, LoginContext login, bool forceQr, CancellationToken ct) =>
        (await PendingAsync(context, login, ct)).FirstOrDefault(bound => !forceQr || bound.Kind == SignInKinds.Qr);

    /// <summary>The open requests bound to this browser for the return URL of <paramref name="login"/>.</summary>
    private async Task<List<SignInRequest>> PendingAsync(HttpContext context, LoginContext login, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var pending = new List<SignInRequest>();
        foreach (var id in cookies.BoundIds(context))
        {
            var bound = await requests.FindAsync(id, ct);
            if (bound is not { Status: SignInStatuses.Pending } || bound.ExpiresAt <= now || bound.PayloadUuid is null) continue;
            if (SignInRequestData.Read(bound.Data).ReturnUrl == login.ReturnUrl) pending.Add(bound);
        }
        return pending;
    }

    /// <summary>
    /// The wallet a push may go to: only the one this browser signed in with before (the protected, HttpOnly
    /// remembered-wallet cookie), and only when the login names no other wallet. A login hint is anyone's text: a
    /// push to the wallet it names would let a stranger's browser ask the owner's phone to sign it in, so a hint
    /// alone gets a QR code (pinned to the hinted wallet), which only someone at this browser can scan.
    /// </summary>
    private string? PushableWallet(HttpContext context, LoginContext login)
    {
        var remembered = cookies.RememberedWallet(context);
        if (remembered is null) return null;
        return login.HintedWallet is null || string.Equals(login.HintedWallet, remembered, StringComparison.Ordinal) ? remembered : null;
    }

    /// <summary>
    /// Finishes a signed request: the wallet's account (provisioning of the client), the user token, a bridge
    /// session, the remembered wallet, and the return URL. Looks at the payload first when it is still pending.
    /// </summary>
    public async Task<CompletionResult> CompleteAsync(HttpContext context, SignInRequest request, CancellationToken ct)
    {
        if (request.Status == SignInStatuses.Pending)
            request = await resolver.RefreshIfDueAsync(request, ct);
        var data = SignInRequestData.Read(request.Data);
        if (request.Status == SignInStatuses.Completed)
            return new(await sessions.GetCurrentAsync(context, ct) is not null ? data.ReturnUrl : SignInPaths.Page(request), null);
        if (request.Status != SignInStatuses.Signed || request.Wallet is null)
            return new(SignInPaths.Page(request), null);
        if (time.GetUtcNow() > request.ExpiresAt + SignInCookies.BindingGrace)
        {
            // A signature is used while its request lives (as an unused authorization code lapses): one left
            // unused is not a sign-in for whoever later holds this browser's binding.
            await requests.TryExpireSignedAsync(request.Id, ct);
            return new(SignInPaths.Page(request), null);
        }

        // Claim first: two tabs (or a double click) cannot both use one signature.
        if (!await requests.TryClaimAsync(request.Id, ct))
            return new(SignInPaths.Page(request), null);
        var client = request.ClientId;
        var provisioning = logins.ProvisioningOf(client is null ? null : (await clients.FindEnabledAsync(client, ct))?.Provisioning);
        var mapped = await accounts.SignInAsync(new WalletSignIn(request.Wallet, request.Network), provisioning, ct);
        if (mapped.Outcome != WalletSignInOutcome.Ok || mapped.Account is null)
        {
            data.Reason = mapped.Outcome == WalletSignInOutcome.NotEnrolled ? "not_enrolled" : "account_disabled";
            await requests.FailClaimedAsync(request.Id, data, ct);
            await audit.WriteAsync(AuditTypes.SignInFailed, request.Wallet, mapped.Account?.Id, client, success: false, reason: data.Reason,
                details: new { method = MethodOf(request), wallet = request.Wallet, network = request.Network, payload = request.PayloadUuid }, ct: ct);
            return new(SignInPaths.Page(request), null);
        }

        var accountId = mapped.Account.Id;
        await requests.SetAccountAsync(request.Id, accountId, ct);
        var signedAt = request.ResolvedAt ?? time.GetUtcNow();
        await userTokens.RecordForAccountAsync(accountId, request.Wallet, resolver.IssuedUserToken(data), signedAt, null, ct);

        var method = MethodOf(request);
        // auth_time is the signature, not this completion (OIDC Core §2). The platform's clock may run behind ours:
        // never before the request was created, which was after the authorization that sent the user here.
        var authenticatedAt = request.ResolvedAt is { } resolved && resolved > request.CreatedAt ? resolved : request.CreatedAt;
        await sessions.SignInAsync(context, new SessionSignIn(accountId, request.Wallet, request.Network, method, AuthenticatedAt: authenticatedAt), ct);
        cookies.RememberWallet(context, request.Wallet);
        cookies.Unbind(context, request.Id);
        await audit.WriteAsync(AuditTypes.SignInSucceeded, accountId, accountId, client,
            details: new { method, wallet = request.Wallet, network = request.Network, payload = request.PayloadUuid }, ct: ct);
        return new(data.ReturnUrl ?? "/", null);
    }

    /// <summary>The user gave up on this browser: cancels the payload when the platform still allows it, and ends the request.</summary>
    public async Task CancelAsync(SignInRequest request, CancellationToken ct)
    {
        if (request.Status != SignInStatuses.Pending) return;
        if (request.PayloadUuid is { } uuid)
        {
            var cancelled = await xumm.CancelPayloadAsync(uuid, ct);
            if (cancelled.IsSuccess && !cancelled.Value.Result.Cancelled && cancelled.Value.Result.Reason == "ALREADY_RESOLVED")
            {
                // Resolved meanwhile: let the resolution stand instead.
                await resolver.ResolveAsync(uuid, null, ct);
                return;
            }
        }
        var data = SignInRequestData.Read(request.Data);
        data.Reason = "cancelled_by_user";
        await requests.TryResolveAsync(request, SignInStatuses.Cancelled, request.Wallet, request.Network, time.GetUtcNow(), data, ct);
    }

    private static string MethodOf(SignInRequest request) =>
        request.Kind == SignInKinds.Push ? PayloadSignInMethods.Push : PayloadSignInMethods.Payload;
}
