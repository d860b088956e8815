using System.Security.Cryptography;
using IdentityBridge.Audit;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Ciba;

/// <summary>
/// <c>POST /connect/ciba</c>, the backchannel authentication endpoint (CIBA Core §7): authenticate the confidential
/// client → <see cref="CibaRequestValidator"/> → push a SignIn payload to the user's wallet with the bridge's live
/// user token (signers = that wallet, the binding message in the app's instruction, the client's network pin) →
/// <c>{ auth_req_id, expires_in, interval }</c>. The request is then followed like any payload; the client polls
/// the token endpoint (<see cref="CibaGrant"/>) and, in ping mode, is called back when it resolves.
/// </summary>
public static class CibaEndpoint
{
    private static readonly TimeSpan FollowGrace = TimeSpan.FromSeconds(15);

    public static void Map(IEndpointRouteBuilder app) => app.MapPost(Ciba.Path, HandleAsync).DisableAntiforgery().AllowAnonymous();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        CibaRequestValidator validator,
        SignInRequestStore requests,
        SignInPayloads payloads,
        UserTokenStore userTokens,
        PayloadFollower follower,
        XummPlatformClient xumm,
        IDataProtectionProvider dataProtection,
        IOptions<PayloadSignInOptions> options,
        AuditLog audit,
        TimeProvider time,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null)
            return ProtocolResults.Error(formError!);
        if ((parameters.UnreadableError ?? parameters.DuplicateError) is { } malformed)
            return ProtocolResults.Error(malformed);

        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: false, ct);
        if (!auth.Succeeded) return ProtocolResults.Error(auth.Error!);
        var client = auth.Client!;

        var (validated, error) = await validator.ValidateAsync(client, parameters, ct);
        if (validated is null)
        {
            await audit.WriteAsync(SignInAuditTypes.CibaRequested, client.ClientId, clientId: client.ClientId, success: false, reason: error!.Error, ct: ct);
            return ProtocolResults.Error(error!);
        }

        var now = time.GetUtcNow();
        var authReqId = UrlSafe.NewId(32);
        var protector = dataProtection.CreateProtector(Ciba.ProtectionPurpose);
        var wallet = validated.UserToken.Wallet;
        var network = string.IsNullOrWhiteSpace(client.RequiredNetwork) ? null : client.RequiredNetwork.Trim().ToUpperInvariant();
        var interval = options.Value.Ciba.IntervalSeconds;
        var data = new SignInRequestData
        {
            ClientName = client.ClientName,
            Scopes = [.. validated.Scopes],
            BindingMessage = validated.BindingMessage,
            DeliveryMode = validated.DeliveryMode,
            AuthReqId = validated.DeliveryMode == Ciba.PingMode ? protector.Protect(authReqId) : null,
            NotificationToken = validated.NotificationToken is { } token ? protector.Protect(token) : null,
            Interval = interval,
            HintedWallet = wallet,
            ForcedNetwork = network,
        };
        var request = new SignInRequest
        {
            Id = Id(authReqId),
            Kind = SignInKinds.Ciba,
            ClientId = client.ClientId,
            AccountId = validated.AccountId,
            CreatedAt = now,
            ExpiresAt = now + TimeSpan.FromSeconds(validated.ExpiresIn),
            Data = data.Write(),
        };
        await requests.AddAsync(request, ct);

        var created = await payloads.CreateAsync(new SignInPayloadSpec(
            request.Id,
            $"{client.ClientName}: {validated.BindingMessage}",
            TimeSpan.FromSeconds(validated.ExpiresIn),
            ForcedNetwork: network,
            Signer: wallet,
            UserToken: validated.UserToken.Token), ct);
        if (!created.IsSuccess)
        {
            data.Reason = "unavailable";
            await requests.TryResolveAsync(request, SignInStatuses.Failed, null, null, now, data, ct);
            return ProtocolResults.Error(new ProtocolError(Ciba.Errors.TemporarilyUnavailable,
                "Xumm cannot be reached right now; try again later.", StatusCodes.Status503ServiceUnavailable));
        }

        var payload = created.Value;
        data.Next = payload.Next.Always;
        data.WebSocket = payload.Refs?.WebsocketStatus;
        if (!payload.Pushed)
        {
            // The token was revoked in the app or has lapsed: drop it; the user is not reachable by push.
            await userTokens.DropAsync(validated.UserToken.TokenHash, "push_not_delivered", ct);
            await xumm.CancelPayloadAsync(payload.Uuid, ct);
            data.Reason = "push_not_delivered";
            await requests.SetPayloadAsync(request.Id, payload.Uuid, SignInKinds.Ciba, data, ct);
            await requests.TryResolveAsync(request, SignInStatuses.Failed, null, null, now, data, ct);
            await audit.WriteAsync(SignInAuditTypes.CibaRequested, client.ClientId, validated.AccountId, client.ClientId, success: false,
                reason: "push_not_delivered", ct: ct);
            return ProtocolResults.Error(new ProtocolError(Ciba.Errors.UnknownUserId,
                "The user cannot be reached by push: sign in once with Xumm in a browser so the bridge holds a user token."));
        }

        await requests.SetPayloadAsync(request.Id, payload.Uuid, SignInKinds.Ciba, data, ct);
        follower.Follow(request.Id, payload.Uuid, data.WebSocket, request.ExpiresAt + FollowGrace);
        await audit.WriteAsync(SignInAuditTypes.CibaRequested, client.ClientId, validated.AccountId, client.ClientId,
            details: new { mode = validated.DeliveryMode, wallet, payload = payload.Uuid, expires_in = validated.ExpiresIn }, ct: ct);

        return ProtocolResults.NoStoreJson(new Dictionary<string, object>
        {
            ["auth_req_id"] = authReqId,
            ["expires_in"] = validated.ExpiresIn,
            ["interval"] = interval,
        });
    }

    /// <summary>
    /// The stored id of an auth_req_id: 192 bits of its SHA-256, so a database read alone yields no usable ids. It
    /// is also the payload's <c>custom_meta.identifier</c>, which the platform caps at 40 characters (this is 32).
    /// </summary>
    public static string Id(string authReqId) => UrlSafe.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(authReqId)).AsSpan(0, 24));
}
