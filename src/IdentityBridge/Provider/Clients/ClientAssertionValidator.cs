using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Clients;

/// <summary>
/// private_key_jwt (RFC 7523 §3, OIDC Core §9): a JWT signed with a key of the client's registered JWKS
/// (RS256, ES256 or PS256; a key that names its <c>alg</c> verifies that algorithm only), <c>iss</c> =
/// <c>sub</c> = client_id, <c>aud</c> the token endpoint URL, the issuer or the URL of the endpoint called,
/// <c>exp</c> required and at most five minutes ahead, and a <c>jti</c> that is accepted once.
/// </summary>
public sealed class ClientAssertionValidator(GrantStore grants, ProviderUrls urls, TimeProvider time)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Null when valid; otherwise why not.</summary>
    public async Task<string?> ValidateAsync(RegisteredClient client, string assertion, HttpRequest request, CancellationToken ct)
    {
        if (client.Jwks is null) return "The client has no registered keys for private_key_jwt.";
        if (assertion.Length > OwnTokenReader.MaxTokenLength || !_handler.CanReadToken(assertion)) return "The client assertion is not a JWT.";
        var keys = KeysFor(client.Jwks, UnverifiedAlgorithm(assertion));
        if (keys.Count == 0) return "None of the client's registered keys is for the client assertion's alg.";
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            ValidAudiences = [urls.Token, urls.Issuer, urls.Issuer + request.Path.Value],
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            IssuerSigningKeys = keys,
            ValidAlgorithms = ClientAuthMethods.AssertionAlgorithms,
        };
        var result = await _handler.ValidateTokenAsync(assertion, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return "The client assertion is not valid (signature, issuer or audience).";
        if (jwt.Subject != client.ClientId) return "The client assertion's sub must be the client_id.";
        var now = time.GetUtcNow();
        // Times beyond the calendar are clamped (NumericDate): compare them with the clock, never add to them.
        // RFC 7519 §2: exp and nbf are NumericDates, JSON numbers; the same seconds sent as a string are refused.
        if (!NumericDate.TryGet(jwt, "exp", out var exp))
            return NumericDate.IsPresent(jwt, "exp") ? "The client assertion's exp is not a NumericDate (a JSON number)." : "The client assertion must have exp.";
        if (exp <= now - Skew) return "The client assertion has expired.";
        if (exp > now + MaxLifetime + Skew) return "The client assertion's exp is too far in the future.";
        if (NumericDate.TryGet(jwt, "nbf", out var nbf))
        {
            if (nbf > now + Skew) return "The client assertion is not yet valid.";
        }
        else if (NumericDate.IsPresent(jwt, "nbf")) return "The client assertion's nbf is not a NumericDate (a JSON number).";
        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || string.IsNullOrEmpty(jti) || jti.Length > 256) return "The client assertion must have a jti.";
        if (!await grants.TryRecordAssertionAsync(client.ClientId, jti, exp + Skew, ct)) return "The client assertion was already used.";
        return null;
    }

    /// <summary>
    /// The signing keys of <paramref name="jwks"/> that may verify a signature made with <paramref name="alg"/>:
    /// RFC 7517 §4.4 makes a JWK's <c>alg</c> the algorithm the key is intended for, so a key that names one is
    /// used for that algorithm alone (else an RS256 key would also verify PS256, an algorithm its owner never
    /// chose); a key that names none is used for any of <see cref="ClientAuthMethods.AssertionAlgorithms"/>.
    /// </summary>
    private static IList<SecurityKey> KeysFor(JsonWebKeySet jwks, string? alg)
    {
        var usable = new JsonWebKeySet { SkipUnresolvedJsonWebKeys = jwks.SkipUnresolvedJsonWebKeys };
        foreach (var key in jwks.Keys)
            if (string.IsNullOrEmpty(key.Alg) || string.Equals(key.Alg, alg, StringComparison.Ordinal))
                usable.Keys.Add(key);
        return usable.Keys.Count == 0 ? [] : usable.GetSigningKeys();
    }

    /// <summary>The <c>alg</c> of an assertion's header before validation (which then holds the signature to it).</summary>
    private static string? UnverifiedAlgorithm(string assertion)
    {
        try
        {
            return new JsonWebToken(assertion).Alg;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The <c>sub</c> of an assertion before validation, to find the client when client_id is not sent.</summary>
    public static string? UnverifiedSubject(string assertion)
    {
        try
        {
            return new JsonWebToken(assertion).Subject;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
