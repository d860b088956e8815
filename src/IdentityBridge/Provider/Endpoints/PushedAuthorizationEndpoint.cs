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
/// /connect/authorize. Every error is JSON to the client, never a redirect.
/// </summary>
public static class PushedAuthorizationEndpoint
{
    /// <summary>Parameters that authenticate the client at this endpoint: not part of the authorization request, never stored.</summary>
    private static readonly HashSet<string> NotStored =
        new(["client_secret", "client_assertion", "client_assertion_type", InteractionTickets.Parameter], StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.PushedAuthorizationPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        AuthorizeRequestValidator validator,
        GrantStore grants,
        DPoPProofValidator dpop,
        IOptions<BridgeOptions> options,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The pushed authorization request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null) return ProtocolResults.Error(formError!);
        if ((parameters.UnreadableError ?? parameters.DuplicateError) is { } malformed) return ProtocolResults.Error(malformed);

        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: true, ct);
        if (!auth.Succeeded) return ProtocolResults.Error(auth.Error!);
        // A client_id in the body that names another client than the one authenticated fails the authentication itself.
        var client = auth.Client!;

        // RFC 9126 §2.1: a pushed request cannot itself point to another.
        if (parameters.Has("request_uri")) return ProtocolResults.Error(ProtocolError.InvalidRequest("request_uri cannot be pushed."));
        var validation = await validator.ValidatePushedAsync(parameters, ct);
        if (validation.Request is null) return ProtocolResults.Error(validation.Error!);
        // RFC 9449 §10.1: a DPoP proof sent with the push binds the code to its key, as dpop_jkt does; sent together,
        // they must name the same key.
        var proof = await dpop.ValidateAsync(context.Request, ProviderUrls.PushedAuthorizationPath, null, ct);
        if (proof.Problem is { } problem) return ProtocolResults.Error(new ProtocolError(proof.Error, problem));
        if (proof.Jkt is not null && validation.Request.DPoPJkt is { } named && named != proof.Jkt)
            return ProtocolResults.Error(new ProtocolError(ProtocolErrors.InvalidDPoPProof, "dpop_jkt is not the thumbprint of the DPoP proof's key."));

        var pushed = new QueryBuilder();
        foreach (var (name, value) in parameters.Values)
            if (!NotStored.Contains(name)) pushed.Add(name, value);
        if (proof.Jkt is not null && validation.Request.DPoPJkt is null) pushed.Add("dpop_jkt", proof.Jkt);
        var lifetime = options.Value.PushedAuthorization.Lifetime;
        var requestUri = await grants.CreatePushedAuthorizationAsync(client.ClientId, new PushedAuthorizationData(pushed.ToQueryString().Value!), lifetime, ct);
        return ProtocolResults.NoStoreJson(new Dictionary<string, object>
        {
            ["request_uri"] = requestUri,
            ["expires_in"] = (int)lifetime.TotalSeconds,
        }, StatusCodes.Status201Created);
    }
}
