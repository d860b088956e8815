using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// POST /connect/token: authenticate the client → dispatch grant_type to its <see cref="IGrantHandler"/>
/// (checked against the client's allowed grant types) → the token response or a protocol error.
/// </summary>
public static class TokenEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.TokenPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        IEnumerable<IGrantHandler> handlers,
        CancellationToken ct)
    {
        var parameters = await OAuthParameters.ReadFormAsync(context.Request, ct);
        if (parameters is null)
            return ProtocolResults.Error(ProtocolError.InvalidRequest("The token request must be application/x-www-form-urlencoded."));
        if (parameters.Duplicate is { } duplicate)
            return ProtocolResults.Error(ProtocolError.InvalidRequest($"The {duplicate} parameter was sent more than once."));

        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: true, ct);
        if (!auth.Succeeded) return ProtocolResults.Error(auth.Error!, auth.UsedBasic);
        var client = auth.Client!;

        var grantType = parameters["grant_type"];
        if (grantType is null) return ProtocolResults.Error(ProtocolError.InvalidRequest("The grant_type parameter is missing."));
        var handler = handlers.FirstOrDefault(h => h.GrantType == grantType);
        if (handler is null) return ProtocolResults.Error(new ProtocolError(ProtocolErrors.UnsupportedGrantType, "This grant type is not supported."));
        if (!client.AllowsGrant(grantType)) return ProtocolResults.Error(ProtocolError.UnauthorizedClient("This client may not use this grant type."));

        var result = await handler.HandleAsync(new TokenRequestContext
        {
            HttpContext = context,
            Client = client,
            ClientAuthenticationMethod = auth.Method!,
            GrantType = grantType,
            Parameters = parameters,
        }, ct);
        return result.Response is { } response ? ProtocolResults.NoStoreJson(response.ToJson()) : ProtocolResults.Error(result.Error!);
    }
}
