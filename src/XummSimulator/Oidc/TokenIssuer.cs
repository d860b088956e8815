using System.Text.Json.Nodes;
using XummSimulator.Internal;
using XummSimulator.Model;

namespace XummSimulator.Oidc;

/// <summary>
/// Writes the OAuth2 JWT the way the platform does: RS256, no <c>kid</c> by default, exactly the
/// platform's claims (no <c>at_hash</c>, <c>azp</c> or <c>auth_time</c>). Faults can sign with an
/// unpublished key, issue an already expired token, or put a <c>kid</c> in the header whether or not the
/// JWKS labels its key (see <see cref="JwksEndpoint"/>).
/// </summary>
internal static class TokenIssuer
{
    public static (string Jwt, DateTimeOffset ExpiresAt) Issue(XummSimulatorState state, XummSimulatorApp app, AuthorizationCode code, string issuer)
    {
        var faults = state.Faults;
        var now = state.Time.GetUtcNow();
        var lifetime = state.Options.TokenLifetime;
        var issuedAt = faults.ExpiredTokens ? now - lifetime - TimeSpan.FromMinutes(5) : now;
        var expiresAt = issuedAt + lifetime;

        var claims = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = app.ApiKey,
            ["sub"] = code.Account,
            ["email"] = $"{app.ApiKey}+{code.Account}@xumm.me",
            ["app_name"] = app.Name,
            ["payload_uuidv4"] = code.PayloadUuid,
            ["usertoken_uuidv4"] = code.UserToken,
            ["network_type"] = code.Network.Name,
            ["network_endpoint"] = code.Network.Endpoint,
            ["network_id"] = code.Network.NetworkId,
        };
        if (code.Nonce is not null)
        {
            claims["nonce"] = code.Nonce;
        }

        claims["scope"] = code.Scope;
        claims["iat"] = issuedAt.ToUnixTimeSeconds();
        claims["exp"] = expiresAt.ToUnixTimeSeconds();

        var key = faults.SignWithUnknownKey ? state.Keys.Unpublished : state.Keys.Current;
        var keyId = state.Options.EmitKeyId || faults.IncludeKeyId || faults.KeyIdInToken
            ? (faults.SignWithUnknownKey ? "unpublished" : state.Keys.CurrentKeyId)
            : null;
        return (CompactJwt.SignRs256(claims, key, keyId), expiresAt);
    }

    /// <summary>The <c>expires_in</c> of a token that expires at <paramref name="expiresAt"/> (never negative).</summary>
    public static long ExpiresIn(XummSimulatorState state, DateTimeOffset expiresAt) =>
        Math.Max(0, (long)(expiresAt - state.Time.GetUtcNow()).TotalSeconds);

    /// <summary>True when the scope names <c>openid</c>: only then does the platform answer an <c>id_token</c>.</summary>
    public static bool HasOpenIdScope(string scope) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal);
}
