using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Ciba;

/// <summary>
/// The token endpoint's <c>urn:openid:params:grant-type:ciba</c> grant (CIBA Core §10.1, §11): for the client the
/// auth_req_id was issued to, <c>slow_down</c> when polled faster than the interval (which then grows by 5 s),
/// <c>authorization_pending</c> while the payload is open, <c>expired_token</c> after expiry (even when the user
/// signed in time but the client came too late), <c>access_denied</c>
/// when the user declined (or the signature did not pass the checks), and tokens once GET /payload confirmed a
/// signature by the hinted wallet. An auth_req_id yields tokens once.
/// </summary>
public sealed class CibaGrant(
    SignInRequestStore requests,
    PayloadResolver resolver,
    PayloadFollower follower,
    UserTokenStore userTokens,
    TokenIssuer issuer,
    BridgeDbContext db,
    AuditLog audit,
    IOptions<PayloadSignInOptions> options,
    TimeProvider time) : IGrantHandler
{
    public string GrantType => GrantTypeNames.Ciba;

    public async Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct)
    {
        var client = context.Client;
        var authReqId = context["auth_req_id"];
        if (authReqId is null) return Fail(ProtocolErrors.InvalidRequest, "auth_req_id is required.");
        var request = authReqId.Length <= 256 ? await requests.FindAsync(CibaEndpoint.Id(authReqId), ct) : null;
        if (request is null || request.Kind != SignInKinds.Ciba || request.ClientId != client.ClientId)
            return Fail(ProtocolErrors.InvalidGrant, "The auth_req_id is not valid for this client.");
        if (request.Status == SignInStatuses.Completed)
            return Fail(ProtocolErrors.InvalidGrant, "The auth_req_id has already been used.");

        var now = time.GetUtcNow();
        var data = SignInRequestData.Read(request.Data);
        if (request.Status == SignInStatuses.Pending)
        {
            var interval = TimeSpan.FromSeconds(data.Interval ?? options.Value.Ciba.IntervalSeconds);
            var tooSoon = data.LastPolledAt is { } last && now - last < interval;
            if (tooSoon) data.Interval = (int)interval.TotalSeconds + Ciba.SlowDownStepSeconds;
            data.LastPolledAt = now;
            if (await requests.UpdateDataAsync(request.Id, SignInStatuses.Pending, data, ct) && tooSoon)
                return Fail(Ciba.Errors.SlowDown, $"Poll at most every {data.Interval} seconds.");

            request = await requests.FindAsync(request.Id, ct) ?? request;
            if (request.Status == SignInStatuses.Pending && request.PayloadUuid is { } uuid)
            {
                if (request.ExpiresAt <= now) request = (await resolver.ResolveAsync(uuid, null, ct)).Request ?? request;
                else if (!follower.IsWatchingSocket(uuid)) request = await resolver.RefreshIfDueAsync(request, ct);
            }
        }

        switch (request.Status)
        {
            case SignInStatuses.Pending:
                return request.ExpiresAt <= now
                    ? Fail(Ciba.Errors.ExpiredToken, "The authentication request has expired.")
                    : Fail(Ciba.Errors.AuthorizationPending, "The user has not answered yet.");
            case SignInStatuses.Expired:
                return Fail(Ciba.Errors.ExpiredToken, "The authentication request has expired.");
            case SignInStatuses.Signed:
                // CIBA §7.3: expires_in is the lifetime of the auth_req_id itself; a signature it still carries
                // is not redeemed once that has run out (§11: expired_token), just as an unused code lapses.
                return request.ExpiresAt <= now
                    ? Fail(Ciba.Errors.ExpiredToken, "The authentication request has expired.")
                    : await IssueAsync(context, request, ct);
            case SignInStatuses.Completed:
                return Fail(ProtocolErrors.InvalidGrant, "The auth_req_id has already been used.");
            default:
                return Fail(ProtocolErrors.AccessDenied, "The user declined, or the signature was not accepted.");
        }
    }

    private async Task<TokenResult> IssueAsync(TokenRequestContext context, SignInRequest request, CancellationToken ct)
    {
        var client = context.Client;
        var data = SignInRequestData.Read(request.Data);
        var accountId = request.AccountId!;
        // The payload allowed only the hinted wallet to sign and the resolver checked it; the wallet must still be the account's.
        var walletOfAccount = request.Wallet is not null && await db.Wallets.AnyAsync(w => w.Address == request.Wallet && w.AccountId == accountId, ct);
        if (!walletOfAccount || !string.Equals(request.Wallet, data.HintedWallet, StringComparison.Ordinal))
            return Fail(ProtocolErrors.AccessDenied, "The signing wallet is not the one asked for.");
        if (!await requests.TryClaimAsync(request.Id, ct))
            return Fail(ProtocolErrors.InvalidGrant, "The auth_req_id has already been used.");

        var signedAt = request.ResolvedAt ?? time.GetUtcNow();
        await userTokens.RecordForAccountAsync(accountId, request.Wallet!, resolver.IssuedUserToken(data), signedAt, null, ct);
        var result = await issuer.IssueAsync(new TokenIssueRequest
        {
            Client = client,
            GrantType = GrantType,
            AccountId = accountId,
            Scopes = data.Scopes ?? [OidcScopes.OpenId],
            Login = new LoginFacts(null, signedAt, PayloadSignInMethods.Ciba, null, request.Wallet, request.Network),
            DPoPJkt = context.DPoPJkt,
        }, ct);
        if (result.Succeeded)
            await audit.WriteAsync(AuditTypes.SignInSucceeded, accountId, accountId, client.ClientId,
                details: new { method = PayloadSignInMethods.Ciba, wallet = request.Wallet, network = request.Network, payload = request.PayloadUuid }, ct: ct);
        return result;
    }

    private static TokenResult Fail(string error, string description) => TokenResult.Failure(error, description);
}
