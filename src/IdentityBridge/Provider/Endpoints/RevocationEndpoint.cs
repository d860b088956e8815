using IdentityBridge.Audit;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// POST /connect/revoke (RFC 7009): a refresh token revokes its whole family (and the family's access
/// tokens, for userinfo and introspection); an access token is revoked by its jti. Unknown tokens, and
/// tokens of another client, get 200 without effect.
/// </summary>
public static class RevocationEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(ProviderUrls.RevocationPath, HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        GrantStore grants,
        OwnTokenReader reader,
        AuditLog audit,
        CancellationToken ct)
    {
        var (parameters, formError) = await OAuthParameters.ReadFormAsync(context.Request, "The request must be application/x-www-form-urlencoded.", ct);
        if (parameters is null) return ProtocolResults.Error(formError!);
        if ((parameters.UnreadableError ?? parameters.DuplicateError) is { } malformed) return ProtocolResults.Error(malformed);
        var auth = await authenticator.AuthenticateAsync(context.Request, parameters, allowPublic: true, ct);
        if (!auth.Succeeded) return ProtocolResults.Error(auth.Error!);
        var client = auth.Client!;
        var token = parameters["token"];
        if (token is null) return ProtocolResults.Error(ProtocolError.InvalidRequest("The token parameter is missing."));

        if (token.Count(c => c == '.') == 2)
        {
            var jwt = await reader.ReadAsync(token, "at+jwt", "application/at+jwt");
            if (jwt is not null && jwt.TryGetPayloadValue<string>("client_id", out var owner) && owner == client.ClientId &&
                jwt.TryGetPayloadValue<string>("jti", out var jti) && NumericDate.TryGet(jwt, "exp", out var exp))
            {
                await grants.RevokeAccessTokenAsync(jti, client.ClientId, exp, ct);
                await audit.WriteAsync(AuditTypes.TokenRevoked, client.ClientId, clientId: client.ClientId, details: new { type = "access_token", jti }, ct: ct);
            }
        }
        else
        {
            var grant = await grants.FindAsync(token, GrantTypes.RefreshToken, ct);
            if (grant is { FamilyId: { } family } && grant.ClientId == client.ClientId)
            {
                await grants.RevokeFamilyAsync(family, ct);
                await audit.WriteAsync(AuditTypes.TokenRevoked, client.ClientId, grant.AccountId, client.ClientId, details: new { type = "refresh_token", family }, ct: ct);
            }
        }
        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok();
    }
}
