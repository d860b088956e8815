using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace XummSimulator.Oidc;

/// <summary>
/// The JWKS: one RSA key, without <c>kid</c> unless key ids are switched on for the key set (independently of
/// the tokens' header, see <see cref="TokenIssuer"/>).
/// </summary>
internal static class JwksEndpoint
{
    public static IResult Handle(XummSimulatorState state)
    {
        var faults = state.Faults;
        var includeKeyId = state.Options.EmitKeyId || faults.IncludeKeyId || faults.KeyIdInKeySet;
        return Results.Json(new JsonObject { ["keys"] = new JsonArray(state.Keys.PublicJwk(includeKeyId)) });
    }
}
