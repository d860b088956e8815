using System.Text.Json;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// Signed request objects (RFC 9101, JAR), sent by value in the <c>request</c> parameter at the authorize endpoint or
/// in a pushed authorization request (RFC 9126 §3). An object is a JWS signed by its client with a key of the client's
/// registered JWKS, by one of the algorithms of private_key_jwt (<see cref="ClientAuthMethods.AssertionAlgorithms"/>),
/// verified as a client assertion is (<see cref="ClientAssertionValidator.VerifySignatureAsync"/>); unsigned (alg
/// <c>none</c>), MAC-signed and encrypted objects are refused. Its <c>iss</c> and <c>client_id</c> are the client, its
/// <c>aud</c> is (or holds) the issuer identifier, <c>exp</c> is required, and it is valid for at most
/// <see cref="MaxLifetime"/>. Its members are the request's parameters (RFC 9101 §6.3): those sent beside it are
/// ignored. The object's <c>jti</c> is not recorded: it describes a request and authenticates nothing, so a replay
/// starts the same request again as its URL would, and a browser that reloads the page may send it twice.
/// </summary>
public sealed class RequestObjectReader(ClientAssertionValidator signatures, ProviderUrls urls, TimeProvider time)
{
    /// <summary>
    /// The longest an object may be valid, from its <c>nbf</c> (or, without one, its <c>iat</c>, or now) to its
    /// <c>exp</c>: sixty minutes, the bound FAPI sets.
    /// </summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(60);

    /// <summary>The explicit type of a request object (RFC 9101 §4, §10.8), without its optional <c>application/</c>.</summary>
    public const string ExplicitType = "oauth-authz-req+jwt";

    /// <summary>The JWT claims of the object (RFC 7519 §4.1) that are not parameters of the request.</summary>
    private static readonly HashSet<string> JwtClaims = new(["iss", "aud", "exp", "nbf", "iat", "jti", "sub"], StringComparer.Ordinal);

    /// <summary>
    /// OIDC Core §6.1: members that are not strings in a request object: <c>max_age</c> a number, <c>claims</c> a JSON
    /// object (passed on as its JSON text, and read as the <c>claims</c> parameter of a query is).
    /// </summary>
    private static readonly Dictionary<string, JsonValueKind> NotStrings = new(StringComparer.Ordinal)
    {
        ["max_age"] = JsonValueKind.Number,
        ["claims"] = JsonValueKind.Object,
    };

    /// <summary>
    /// The parameters of <paramref name="requestObject"/>, sent by <paramref name="client"/>, or else the
    /// invalid_request_object to answer with.
    /// </summary>
    public async Task<(OAuthParameters? Parameters, ProtocolError? Error)> ReadAsync(string requestObject, RegisteredClient client, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (client.Jwks is null) return Refuse("The application has no registered keys (JWKS) to sign a request object with.");
        if (signatures.Parse(requestObject) is not { } token) return Refuse("The request object must be a signed JWT (JWS); it is not one, or it is encrypted.");
        var (typed, typ) = ClientAssertionValidator.DeclaredType(token);
        if (typed && !ClientAssertionValidator.IsType(typ, ExplicitType) && !ClientAssertionValidator.IsType(typ, "jwt"))
            return Refuse($"The request object's typ must be {ExplicitType}, JWT or absent, not {ErrorDescription.Echo(typ!)}.");
        var (jwt, problem) = await signatures.VerifySignatureAsync(client, token, "request object");
        if (jwt is null) return Refuse(problem!);

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var claims = payload.RootElement;
        if (!IsAddressedHere(claims)) return Refuse($"The request object's aud must be the issuer identifier {urls.Issuer}.");
        if (TimesProblem(jwt) is { } times) return Refuse(times);
        if (!claims.TryGetProperty("client_id", out var clientId) || clientId.ValueKind != JsonValueKind.String || clientId.GetString() != client.ClientId)
            return Refuse("The request object's client_id must be the client_id of the request.");
        if (claims.TryGetProperty("request", out _) || claims.TryGetProperty("request_uri", out _))
            return Refuse("A request object cannot hold request or request_uri.");

        var parameters = new QueryBuilder();
        foreach (var member in claims.EnumerateObject())
        {
            if (JwtClaims.Contains(member.Name)) continue;
            var value = member.Value;
            if (value.ValueKind == JsonValueKind.String) parameters.Add(member.Name, value.GetString()!);
            else if (NotStrings.TryGetValue(member.Name, out var kind) && value.ValueKind == kind) parameters.Add(member.Name, value.GetRawText());
            else return Refuse($"The request object's {ErrorDescription.Echo(member.Name)} must be a string.");
        }
        return (OAuthParameters.FromQuery(parameters.ToQueryString().Value), null);
    }

    /// <summary>RFC 9101 §4: the object's <c>aud</c> is the issuer identifier, or an array that holds it.</summary>
    private bool IsAddressedHere(JsonElement claims)
    {
        if (!claims.TryGetProperty("aud", out var aud)) return false;
        if (aud.ValueKind == JsonValueKind.String) return aud.GetString() == urls.Issuer;
        return aud.ValueKind == JsonValueKind.Array && aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == urls.Issuer);
    }

    /// <summary>
    /// <c>exp</c> required and not passed, <c>nbf</c> and <c>iat</c> not ahead, each NumericDate a JSON number, with
    /// the clock skew of client assertions; and no longer valid than <see cref="MaxLifetime"/>. Null when they are good.
    /// </summary>
    private string? TimesProblem(JsonWebToken jwt)
    {
        var now = time.GetUtcNow();
        var skew = ClientAssertionValidator.Skew;
        // Times beyond the calendar are clamped (NumericDate): they are compared, never added to.
        if (!NumericDate.TryGet(jwt, "exp", out var exp))
            return NumericDate.IsPresent(jwt, "exp") ? "The request object's exp is not a NumericDate (a JSON number)." : "The request object must have exp.";
        if (exp <= now - skew) return "The request object has expired.";
        DateTimeOffset? start = null;
        foreach (var claim in new[] { "iat", "nbf" })
        {
            if (NumericDate.TryGet(jwt, claim, out var at))
            {
                if (at > now + skew) return $"The request object's {claim} is in the future.";
                start = at;
            }
            else if (NumericDate.IsPresent(jwt, claim)) return $"The request object's {claim} is not a NumericDate (a JSON number).";
        }
        var from = start ?? now;
        if (exp - from > MaxLifetime + (start is null ? skew : TimeSpan.Zero)) return "The request object is valid for more than 60 minutes.";
        return null;
    }

    private static (OAuthParameters?, ProtocolError?) Refuse(string description) =>
        (null, new ProtocolError(ProtocolErrors.InvalidRequestObject, description + " (invalid_request_object)"));
}
