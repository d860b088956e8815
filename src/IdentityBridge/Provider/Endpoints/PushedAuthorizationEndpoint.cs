using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// POST /connect/par, pushed authorization requests (RFC 9126): authenticate the client as the token endpoint does
/// (a public client names itself) → validate the parameters as the authorize endpoint would
/// (<see cref="AuthorizeRequestValidator"/>) → store them in the grants table for
/// <c>Bridge:PushedAuthorization:Lifetime</c> → 201 with the <c>request_uri</c> the browser brings to
/// /connect/authorize. Every error is JSON to the client, never a redirect, and is audited here, once per request, as
/// the token endpoint audits its refusals (<c>par.refused</c>: the error and its description, the client id presented;
/// never a secret, an assertion or the value of <c>request</c>). An accepted push issues nothing and is not audited, as a
/// token request is audited only through the tokens it issues.
/// </summary>
public static class PushedAuthorizationEndpoint
{
    /// <summary>
    /// Parameters that authenticate the client at this endpoint, and those only the bridge sets: not part of the
    /// authorization request, never stored as sent.
    /// </summary>
    private static readonly HashSet<string> NotStored =
        new(["client_secret", "client_assertion", "client_assertion_type", InteractionTickets.Parameter, InteractionTickets.SignedRequestParameter], StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.PushedAuthorizationPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        AuthorizeRequestValidator validator,
        GrantStore grants,
        DPoPProofValidator dpop,
        IOptions<BridgeOptions> options,
        AuditLog audit,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The pushed authorization request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null) return await RefuseAsync(audit, formError!, null, null, ct);
        if ((parameters.UnreadableError ?? parameters.DuplicateError) is { } malformed) return await RefuseAsync(audit, malformed, null, null, ct);

        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: true, ct);
        if (!auth.Succeeded) return await RefuseAsync(audit, auth.Error!, null, auth.ClientIdTried, ct, auth.Reason);
        // A client_id in the body that names another client than the one authenticated fails the authentication itself.
        var client = auth.Client!;

        // RFC 9126 §2.1: a pushed request cannot itself point to another.
        if (parameters.Has("request_uri")) return await RefuseAsync(audit, ProtocolError.InvalidRequest("request_uri cannot be pushed."), client, null, ct);
        var validation = await validator.ValidatePushedAsync(parameters, client, ct);
        if (validation.Request is null) return await RefuseAsync(audit, validation.Error!, client, null, ct);
        // RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its key, as dpop_jkt does; sent together,
        // they must name the same key.
        var proof = await dpop.ValidateAsync(context.Request, ProviderUrls.PushedAuthorizationPath, null, ct);
        if (proof.Problem is { } problem)
        {
            // use_dpop_nonce is the normal first answer to a client that has no nonce yet, not a refusal (as at the token endpoint).
            var refused = new ProtocolError(proof.Error, problem);
            return proof.Error == ProtocolErrors.UseDPoPNonce ? ProtocolResults.Error(refused) : await RefuseAsync(audit, refused, client, null, ct);
        }
        if (proof.Jkt is not null && validation.Request.DPoPJkt is { } named && named != proof.Jkt)
            return await RefuseAsync(audit, new ProtocolError(ProtocolErrors.InvalidDPoPProof, "dpop_jkt is not the thumbprint of the DPoP proof's key."), client, null, ct);

        // The parameters of the request: those sent, or those of the request object sent (RFC 9126 §3).
        var pushed = new QueryBuilder();
        foreach (var (name, value) in validation.Request.Parameters.Values)
            if (!NotStored.Contains(name)) pushed.Add(name, value);
        if (proof.Jkt is not null && validation.Request.DPoPJkt is null) pushed.Add("dpop_jkt", proof.Jkt);
        // RFC 9101 §10.5: the request remembers it came as a signed request object, for a client that requires one.
        if (parameters.Has("request")) pushed.Add(InteractionTickets.SignedRequestParameter, "pushed");
        var lifetime = options.Value.PushedAuthorization.Lifetime;
        var requestUri = await grants.CreatePushedAuthorizationAsync(client.ClientId, new PushedAuthorizationData(pushed.ToQueryString().Value!), lifetime, ct);
        return ProtocolResults.NoStoreJson(new Dictionary<string, object>
        {
            ["request_uri"] = requestUri,
            ["expires_in"] = (int)lifetime.TotalSeconds,
        }, StatusCodes.Status201Created);
    }

    /// <summary>Audits the refusal (<see cref="RefusalAudit"/>) and returns it.</summary>
    private static async Task<IResult> RefuseAsync(AuditLog audit, ProtocolError error, RegisteredClient? client, string? clientIdTried,
        CancellationToken ct, string? detail = null)
    {
        await RefusalAudit.WriteAsync(audit, AuditTypes.PushedAuthorizationRefused, error, client, clientIdTried,
            new { error = error.Error, clientAuthenticated = client is not null }, ct, detail);
        return ProtocolResults.Error(error);
    }
}
