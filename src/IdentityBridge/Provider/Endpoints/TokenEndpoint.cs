using IdentityBridge.Audit;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// POST /connect/token: authenticate the client → dispatch grant_type to its <see cref="IGrantHandler"/>
/// (checked against the client's allowed grant types) → the token response or a protocol error. A DPoP proof
/// (RFC 9449), when sent, is validated before the grant runs: invalid, it is invalid_dpop_proof; valid, its key's
/// thumbprint goes to the grant, which binds the tokens to it. With <c>Bridge:DPoP:RequireNonce</c>, a proof without a
/// current nonce is use_dpop_nonce, and the answer to every request with a proof carries the nonce in DPoP-Nonce.
/// Every refusal is audited here, once per request (<c>token.refused</c>: the error and its description, the
/// client id presented, the grant type; never a secret, code or token), except the polling answers of CIBA
/// (authorization_pending, slow_down), which are the normal course of a poll and not refusals, and use_dpop_nonce
/// (RFC 9449 §8), the normal first answer to a DPoP client when nonces are required.
/// </summary>
public static class TokenEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.TokenPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        IOptions<GrantHandlerOptions> grantHandlers,
        DPoPProofValidator dpop,
        AuditLog audit,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The token request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null)
            return await RefuseAsync(audit, formError!, null, null, null, ct);
        if (parameters.UnreadableError is { } unreadable)
            return await RefuseAsync(audit, unreadable, null, null, null, ct);
        var grantType = parameters["grant_type"];
        if (parameters.DuplicateError is { } duplicate)
            return await RefuseAsync(audit, SeveralTargets(parameters, grantType) ?? duplicate, null, null, null, ct);

        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: true, ct);
        if (!auth.Succeeded) return await RefuseAsync(audit, auth.Error!, null, auth.ClientIdTried, grantType, ct, auth.Reason);
        var client = auth.Client!;

        if (grantType is null) return await RefuseAsync(audit, ProtocolError.InvalidRequest("The grant_type parameter is missing."), client, null, null, ct);
        var handler = GrantHandlerRegistration.Resolve(context.RequestServices, grantHandlers, grantType);
        if (handler is null)
            return await RefuseAsync(audit, new ProtocolError(ProtocolErrors.UnsupportedGrantType, "This grant type is not supported."), client, null, grantType, ct);
        if (!client.AllowsGrant(grantType))
            return await RefuseAsync(audit, ProtocolError.UnauthorizedClient("This client may not use this grant type."), client, null, grantType, ct);
        var proof = await dpop.ValidateAsync(context.Request, ProviderUrls.TokenPath, null, ct);
        if (proof.Problem is { } problem)
        {
            var refused = new ProtocolError(proof.Error, problem);
            return proof.Error == ProtocolErrors.UseDPoPNonce ? ProtocolResults.Error(refused) : await RefuseAsync(audit, refused, client, null, grantType, ct);
        }

        var request = new TokenRequestContext
        {
            HttpContext = context,
            Client = client,
            ClientAuthenticationMethod = auth.Method!,
            GrantType = grantType,
            Parameters = parameters,
            DPoPJkt = proof.Jkt,
        };
        var result = await handler.HandleAsync(request, ct);
        if (result.Response is { } response) return ProtocolResults.NoStoreJson(response.ToJson());
        if (request.RefusalAudited || IsPollingAnswer(result.Error!.Error)) return ProtocolResults.Error(result.Error!);
        return await RefuseAsync(audit, result.Error, client, null, grantType, ct);
    }

    /// <summary>
    /// RFC 8693 §2.1: a token exchange may repeat audience, as any request may repeat resource (RFC 8707 §2).
    /// The bridge issues a token for one target, so several are invalid_target (RFC 8693 §2.2.2), not a
    /// malformed request; null when something else was repeated.
    /// </summary>
    private static ProtocolError? SeveralTargets(OAuthParameters parameters, string? grantType) =>
        grantType == GrantTypeNames.TokenExchange && parameters.Duplicates.All(name => name is "audience" or OAuthParameters.Resource)
            ? new ProtocolError(ProtocolErrors.InvalidTarget, "Only one audience and one resource per request are supported.")
            : null;

    private static bool IsPollingAnswer(string error) => error is Ciba.Ciba.Errors.AuthorizationPending or Ciba.Ciba.Errors.SlowDown;

    /// <summary>Audits the refusal (<see cref="RefusalAudit"/>) with the grant type, and returns it.</summary>
    private static async Task<IResult> RefuseAsync(AuditLog audit, ProtocolError error, RegisteredClient? client, string? clientIdTried, string? grantType,
        CancellationToken ct, string? detail = null)
    {
        await RefusalAudit.WriteAsync(audit, AuditTypes.TokenRefused, error, client, clientIdTried,
            new { error = error.Error, grantType = RefusalAudit.Truncate(grantType, 100), clientAuthenticated = client is not null }, ct, detail);
        return ProtocolResults.Error(error);
    }
}
