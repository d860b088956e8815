using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Clients;

/// <summary>
/// private_key_jwt (RFC 7523 §3, OIDC Core §9, draft-ietf-oauth-rfc7523bis): a JWT signed with a key of the
/// client's registered JWKS (RS256, ES256 or PS256; a key that names its <c>alg</c> verifies that algorithm only),
/// <c>iss</c> = <c>sub</c> = client_id, <c>exp</c> required and at most five minutes ahead, and a <c>jti</c> that
/// is accepted once. Its audience and type are checked first, by <see cref="TryScreen"/>, before the client is
/// known: see there.
/// </summary>
public sealed class ClientAssertionValidator(GrantStore grants, ProviderUrls urls, IOptions<BridgeOptions> options, TimeProvider time)
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    /// <summary>The explicit type of a client authentication JWT (draft-ietf-oauth-rfc7523bis), without its optional <c>application/</c>.</summary>
    public const string ExplicitType = "client-authentication+jwt";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly bool _issuerOnly = options.Value.ClientAuthentication.AssertionAudience == AssertionAudiences.Issuer;

    /// <summary>
    /// Whether <paramref name="assertion"/> may be a client assertion for this server, whichever client sent it:
    /// a signed JWT, typed as a client assertion or as a JWT or not at all (a <c>typ</c> that names another kind of
    /// JWT, such as <c>at+jwt</c> or <c>logout+jwt</c>, marks a token made for another use: RFC 8725 §3.11), and
    /// addressed to this server. The audience is the issuer identifier as the only value (a string, or an array of
    /// that one member) when <c>Bridge:ClientAuthentication:AssertionAudience</c> is <c>Issuer</c>, and for an
    /// assertion typed <see cref="ExplicitType"/> whatever the setting: its sender declares that it follows the
    /// update that made this the rule. Otherwise the issuer, the token endpoint URL or the URL of
    /// <paramref name="path"/>, the endpoint called; an array of several values is accepted only when each is one
    /// of these, since any other audience it names could present it here as its own.
    /// The problem depends on the assertion and this server alone, never on the client, so the caller may be told
    /// it without learning which clients exist. The signature is not verified yet: nothing is accepted here.
    /// </summary>
    public bool TryScreen(string assertion, string? path, [NotNullWhen(true)] out ScreenedAssertion? screened, [NotNullWhen(false)] out string? problem)
    {
        screened = null;
        if (Parse(assertion) is not { } jwt)
        {
            problem = "The client assertion is not a signed JWT.";
            return false;
        }
        var (type, typ) = Type(jwt);
        if (type == JwtType.Other)
        {
            problem = $"The client assertion's typ must be {ExplicitType}, JWT or absent, not {ErrorDescription.Echo(typ!)}.";
            return false;
        }
        var audiences = Audiences(jwt);
        var addressedHere = _issuerOnly || type == JwtType.ClientAuthentication
            ? audiences is [var only] && only == urls.Issuer
            : audiences is { Count: > 0 } && audiences.TrueForAll(a => a == urls.Issuer || a == urls.Token || a == urls.Issuer + path);
        if (!addressedHere)
        {
            problem = $"The client assertion's aud must be the issuer identifier {urls.Issuer}, as its only value.";
            return false;
        }
        (screened, problem) = (new ScreenedAssertion(jwt), null);
        return true;
    }

    /// <summary>Null when valid; otherwise why not.</summary>
    public async Task<string?> ValidateAsync(RegisteredClient client, ScreenedAssertion assertion, CancellationToken ct)
    {
        if (client.Jwks is null) return "The client has no registered keys for private_key_jwt.";
        var (jwt, problem) = await VerifySignatureAsync(client, assertion.Token, "client assertion");
        if (jwt is null) return problem;
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
    /// Verifies that <paramref name="token"/>, a JWT signed by <paramref name="client"/> (a client assertion or a
    /// request object), has a valid signature made with one of the client's registered keys by one of
    /// <see cref="ClientAuthMethods.AssertionAlgorithms"/>, and that its <c>iss</c> is the client_id. Its audience,
    /// times and other claims are the caller's to check. The verified token, or else why not, the token named
    /// <paramref name="what"/>.
    /// </summary>
    internal async Task<(JsonWebToken? Token, string? Problem)> VerifySignatureAsync(RegisteredClient client, JsonWebToken token, string what)
    {
        if (client.Jwks is null) return (null, $"The application has no registered keys to verify the {what} with.");
        var keys = KeysFor(client.Jwks, token.Alg);
        if (keys.Count == 0) return (null, $"None of the client's registered keys is for the {what}'s alg.");
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = client.ClientId,
            // The audience is checked by the caller, as the handler's check (any one audience in the list) would not.
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            IssuerSigningKeys = keys,
            ValidAlgorithms = ClientAuthMethods.AssertionAlgorithms,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid && result.SecurityToken is JsonWebToken jwt ? (jwt, null) : (null, $"The {what} is not valid (signature or issuer).");
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

    /// <summary>The client's JWT as a signed JWT (JWS compact serialization), or null: also when it is encrypted (JWE).</summary>
    internal JsonWebToken? Parse(string token)
    {
        if (token.Length > OwnTokenReader.MaxTokenLength || !_handler.CanReadToken(token)) return null;
        try
        {
            var jwt = new JsonWebToken(token);
            return jwt.IsEncrypted ? null : jwt;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private enum JwtType { None, Jwt, ClientAuthentication, Other }

    /// <summary>
    /// The kind of JWT the header's <c>typ</c> declares, and the value as sent. RFC 7515 §4.1.9: a media type,
    /// compared without case, <c>application/</c> implied when it has no <c>/</c>.
    /// </summary>
    private static (JwtType Type, string? Typ) Type(JsonWebToken jwt)
    {
        var (present, typ) = DeclaredType(jwt);
        if (!present) return (JwtType.None, null);
        var type = IsType(typ, "jwt") ? JwtType.Jwt : IsType(typ, ExplicitType) ? JwtType.ClientAuthentication : JwtType.Other;
        return (type, typ);
    }

    /// <summary>
    /// Whether the header carries a <c>typ</c>, and its value as sent (the JSON text of one that is not a string).
    /// </summary>
    internal static (bool Present, string? Typ) DeclaredType(JsonWebToken jwt)
    {
        using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
        if (!header.RootElement.TryGetProperty("typ", out var typ)) return (false, null);
        return (true, typ.ValueKind == JsonValueKind.String ? typ.GetString()! : typ.GetRawText());
    }

    /// <summary>
    /// Whether the <c>typ</c> value <paramref name="typ"/> names the media type <c>application/</c><paramref name="subtype"/>:
    /// RFC 7515 §4.1.9, compared without case, <c>application/</c> implied when it has no <c>/</c>.
    /// </summary>
    internal static bool IsType(string? typ, string subtype)
    {
        if (typ is null) return false;
        var mediaType = typ.Contains('/', StringComparison.Ordinal) ? typ : "application/" + typ;
        return string.Equals(mediaType, "application/" + subtype, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The payload's <c>aud</c> as sent (RFC 7519 §4.1.3: a string, or an array of strings); null when it is
    /// absent or anything else, such as an array that holds a number.
    /// </summary>
    private static List<string>? Audiences(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        if (payload.RootElement.ValueKind != JsonValueKind.Object || !payload.RootElement.TryGetProperty("aud", out var aud)) return null;
        if (aud.ValueKind == JsonValueKind.String) return [aud.GetString()!];
        if (aud.ValueKind != JsonValueKind.Array) return null;
        var values = new List<string>();
        foreach (var member in aud.EnumerateArray())
        {
            if (member.ValueKind != JsonValueKind.String) return null;
            values.Add(member.GetString()!);
        }
        return values;
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

/// <summary>
/// A client assertion that passed <see cref="ClientAssertionValidator.TryScreen"/>: a signed JWT of a client
/// assertion's type, addressed to this server, its signature and claims not verified yet. Only such an assertion
/// is validated, so that its audience cannot go unchecked.
/// </summary>
public sealed class ScreenedAssertion
{
    internal ScreenedAssertion(JsonWebToken token) => Token = token;

    internal JsonWebToken Token { get; }
}
