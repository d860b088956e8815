using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace XummSimulator.Oidc;

/// <summary>The JWKS: one RSA key, without <c>kid</c> unless key ids are switched on.</summary>
internal static class JwksEndpoint
{
    public static IResult Handle(XummSimulatorState state)
    {
        var includeKeyId = state.Options.EmitKeyId || state.Faults.IncludeKeyId;
        return Results.Json(new JsonObject { ["keys"] = new JsonArray(state.Keys.PublicJwk(includeKeyId)) });
    }
}
