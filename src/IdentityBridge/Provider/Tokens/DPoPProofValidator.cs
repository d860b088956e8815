using System.Text.Json;
using IdentityBridge.Provider.Protocol;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// DPoP proofs (RFC 9449 §4.3): the one <c>DPoP</c> header of a request holds a JWT typed <c>dpop+jwt</c>, signed
/// with an asymmetric algorithm (RS256, ES256 or PS256) by the public key its header carries as <c>jwk</c>, for
/// this request's method (<c>htm</c>) and URL (<c>htu</c>, under the issuer's public URL), issued at most
/// <see cref="Window"/> ago (<c>iat</c>), with a <c>jti</c> accepted once, and, when an access token comes with it,
/// the hash of that token (<c>ath</c>). The key's RFC 7638 thumbprint (<c>jkt</c>) is what tokens are bound to.
/// With <c>Bridge:DPoP:RequireNonce</c>, a proof must also carry a nonce the bridge issued (<c>nonce</c>, §8-9,
/// <see cref="DPoPNonces"/>), and the response to every request with a proof offers the current one.
/// </summary>
public sealed class DPoPProofValidator(GrantStore grants, ProviderUrls urls, TimeProvider time, DPoPNonces nonces)
{
    public const string HeaderName = "DPoP";

    /// <summary>The authentication scheme of a bound access token (RFC 9449 §7.1) and its token_type (§5).</summary>
    public const string Scheme = "DPoP";

    public const string ProofType = "dpop+jwt";

    /// <summary>Proof signing algorithms (dpop_signing_alg_values_supported): asymmetric only.</summary>
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>How old a proof may be (its iat), and so how long its jti is remembered.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>How far ahead of our clock a proof's iat may be.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);

    /// <summary>JWK members of private or symmetric keys: a proof's key must be public (RFC 9449 §4.2).</summary>
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>Whether <paramref name="value"/> can be a SHA-256 JWK thumbprint: 43 base64url characters (dpop_jkt, RFC 9449 §10).</summary>
    public static bool IsThumbprint(string? value) =>
        value is { Length: 43 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>
    /// The proof of <paramref name="request"/> for the endpoint at <paramref name="path"/> (under the issuer), with
    /// <paramref name="accessToken"/> when the request presents one: <see cref="DPoPProofResult.Absent"/> when the
    /// request has no DPoP header, else the key thumbprint or why the proof is refused. When nonces are required, the
    /// response to a request with a proof carries the nonce to use next, whatever the outcome (RFC 9449 §8.2).
    /// </summary>
    public Task<DPoPProofResult> ValidateAsync(HttpRequest request, string path, string? accessToken, CancellationToken ct)
    {
        var headers = request.Headers[HeaderName];
        if (nonces.Required && headers.Count > 0) request.HttpContext.Response.Headers[DPoPNonces.HeaderName] = nonces.Current();
        return ValidateAsync(headers, request.Method, urls.Issuer + path, accessToken, ct);
    }

    /// <summary>The proof in <paramref name="headers"/> (every DPoP header of the request) for <paramref name="method"/> on <paramref name="url"/>.</summary>
    public async Task<DPoPProofResult> ValidateAsync(StringValues headers, string method, string url, string? accessToken, CancellationToken ct)
    {
        if (headers.Count == 0) return DPoPProofResult.Absent;
        // A JWT holds no comma: one means several headers folded into one.
        if (headers.Count > 1 || headers[0] is not { Length: > 0 } proof || proof.Contains(',', StringComparison.Ordinal))
            return DPoPProofResult.Refused("Send exactly one DPoP header.");
        if (Parse(proof) is not { } jwt) return DPoPProofResult.Refused("The DPoP proof is not a signed JWT.");

        using var header = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedHeader));
        var root = header.RootElement;
        if (!root.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String || !IsProofType(typ.GetString()!))
            return DPoPProofResult.Refused($"The DPoP proof's typ must be {ProofType}.");
        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
            return DPoPProofResult.Refused($"The DPoP proof's alg must be one of {string.Join(", ", Algorithms)}.");
        if (!root.TryGetProperty("jwk", out var jwkElement) || jwkElement.ValueKind != JsonValueKind.Object)
            return DPoPProofResult.Refused("The DPoP proof's header must carry the public key as jwk.");
        if (PrivateMembers.Any(m => jwkElement.TryGetProperty(m, out _)))
            return DPoPProofResult.Refused("The DPoP proof's jwk must be a public key, without private members.");
        if (PublicKey(jwkElement, jwt.Alg) is not { } jwk)
            return DPoPProofResult.Refused("The DPoP proof's jwk is not a public key for its alg.");

        var result = await _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            IssuerSigningKey = jwk,
            ValidAlgorithms = Algorithms,
            ValidateIssuerSigningKey = false,
        });
        if (!result.IsValid) return DPoPProofResult.Refused("The DPoP proof's signature does not verify with its jwk.");

        if (!jwt.TryGetPayloadValue<string>("htm", out var htm) || !string.Equals(htm, method, StringComparison.Ordinal))
            return DPoPProofResult.Refused("The DPoP proof's htm must be the request method.");
        if (!jwt.TryGetPayloadValue<string>("htu", out var htu) || !SameEndpoint(htu, url))
            return DPoPProofResult.Refused("The DPoP proof's htu must be the URL of this endpoint.");

        var now = time.GetUtcNow();
        if (!NumericDate.TryGet(jwt, "iat", out var iat)) return DPoPProofResult.Refused("The DPoP proof must have iat, a NumericDate.");
        if (iat < now - Window) return DPoPProofResult.Refused("The DPoP proof is too old (iat).");
        if (iat > now + Skew) return DPoPProofResult.Refused("The DPoP proof's iat is in the future.");
        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || string.IsNullOrEmpty(jti) || jti.Length > 256)
            return DPoPProofResult.Refused("The DPoP proof must have a jti.");

        if (accessToken is not null)
        {
            if (!jwt.TryGetPayloadValue<string>("ath", out var ath) || !string.Equals(ath, TokenHashes.Key(accessToken), StringComparison.Ordinal))
                return DPoPProofResult.Refused("The DPoP proof's ath must be the hash of the access token presented.");
        }
        // RFC 9449 §8: before the jti is recorded, so that a proof sent only to learn the nonce leaves no marker behind.
        if (nonces.Required)
        {
            if (!jwt.TryGetPayloadValue<string>("nonce", out var nonce) || nonce is null)
                return DPoPProofResult.NonceNeeded("The DPoP proof must carry the nonce given in the DPoP-Nonce header.");
            if (!nonces.IsCurrent(nonce))
                return DPoPProofResult.NonceNeeded("The DPoP proof's nonce is not a current one of this server: use the one in the DPoP-Nonce header.");
        }

        var jkt = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        // Remembered while a proof with this iat could be accepted, in the grants table that every node shares.
        var remembered = iat > now ? iat : now;
        if (!await grants.TryRecordDPoPProofAsync(jkt, jti, remembered + Window, ct))
            return DPoPProofResult.Refused("The DPoP proof was already used.");
        return DPoPProofResult.Valid(jkt);
    }

    /// <summary>
    /// RFC 9449 §7.1: whether a valid access token was presented as its binding requires, at the endpoint of
    /// <paramref name="request"/> (under the issuer). A bound token (<paramref name="boundJkt"/>, its <c>cnf.jkt</c>) only
    /// with the DPoP scheme and a proof of its key whose <c>ath</c> hashes it; an unbound one only as a bearer token.
    /// Null when it was; else the error (invalid_dpop_proof, use_dpop_nonce or invalid_token) and why.
    /// </summary>
    public async Task<(string Error, string Description)?> CheckPresentationAsync(HttpRequest request, bool dpopScheme, string token, string? boundJkt, CancellationToken ct)
    {
        if (!dpopScheme)
            return boundJkt is null ? null : (ProtocolErrors.InvalidToken, "The access token is DPoP-bound: send it with the DPoP scheme and a DPoP proof.");
        var proof = await ValidateAsync(request, request.Path.Value ?? "", token, ct);
        if (proof.IsAbsent)
        {
            // A client that uses the scheme means to send proofs: give it the nonce its next one needs.
            if (nonces.Required) request.HttpContext.Response.Headers[DPoPNonces.HeaderName] = nonces.Current();
            return (ProtocolErrors.InvalidDPoPProof, "The DPoP scheme needs a DPoP proof.");
        }
        if (proof.Problem is { } problem) return (proof.Error, problem);
        if (boundJkt is null) return (ProtocolErrors.InvalidToken, "The access token is not DPoP-bound: send it as a bearer token.");
        if (!string.Equals(boundJkt, proof.Jkt, StringComparison.Ordinal))
            return (ProtocolErrors.InvalidToken, "The DPoP proof's key is not the one the access token is bound to.");
        return null;
    }

    /// <summary>The <c>cnf.jkt</c> of an access token (RFC 9449 §6.1), or null when it is not DPoP-bound.</summary>
    public static string? BoundKey(JsonWebToken token) =>
        token.TryGetPayloadValue<JsonElement>("cnf", out var cnf) ? Jkt(cnf) : null;

    /// <summary>The <c>cnf.jkt</c> of a validated access token's principal, or null when it is not DPoP-bound.</summary>
    public static string? BoundKey(System.Security.Claims.ClaimsPrincipal principal)
    {
        if (principal.FindFirst("cnf")?.Value is not { } cnf) return null;
        try
        {
            using var document = JsonDocument.Parse(cnf);
            return Jkt(document.RootElement);
        }
        catch (JsonException)
        {
            // A cnf that is not JSON binds to no key we could check: refuse the token as bound to an unknown one.
            return "";
        }
    }

    private static string? Jkt(JsonElement cnf) =>
        cnf.ValueKind == JsonValueKind.Object && cnf.TryGetProperty("jkt", out var jkt) && jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : null;

    /// <summary>
    /// RFC 9449 §7.1: the challenge of the DPoP scheme, with the error when there is one and the proof algorithms.
    /// <paramref name="description"/> must already be fit for a quoted string (<see cref="ErrorDescription.Clean"/>).
    /// </summary>
    public static string Challenge(string realm, string? error, string? description)
    {
        var value = $"{Scheme} realm=\"{realm}\"";
        if (error is not null) value += $", error=\"{error}\", error_description=\"{description}\"";
        return value + $", algs=\"{string.Join(' ', Algorithms)}\"";
    }

    /// <summary>RFC 7515 §4.1.9: a media type, compared without case, <c>application/</c> implied when it has no <c>/</c>.</summary>
    private static bool IsProofType(string typ)
    {
        var mediaType = typ.Contains('/', StringComparison.Ordinal) ? typ : "application/" + typ;
        return string.Equals(mediaType, "application/" + ProofType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// RFC 9449 §4.3: htu names the endpoint without query and fragment; compared after the syntax- and scheme-based
    /// normalisation of RFC 3986 §6.2.2-6.2.3 (case of scheme and host, default port, percent-encoding, empty path).
    /// </summary>
    private static bool SameEndpoint(string htu, string url)
    {
        if (!Uri.TryCreate(htu, UriKind.Absolute, out var sent) || sent.Scheme is not ("http" or "https")) return false;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var expected)) return false;
        const UriComponents Endpoint = UriComponents.SchemeAndServer | UriComponents.Path;
        return string.Equals(Normalise(sent.GetComponents(Endpoint, UriFormat.UriEscaped)), Normalise(expected.GetComponents(Endpoint, UriFormat.UriEscaped)),
            StringComparison.Ordinal);
    }

    /// <summary>Percent-encodings of unreserved characters decoded, the others upper-cased (RFC 3986 §6.2.2.1-6.2.2.2).</summary>
    private static string Normalise(string uri)
    {
        var builder = new System.Text.StringBuilder(uri.Length);
        for (var i = 0; i < uri.Length; i++)
        {
            if (uri[i] == '%' && i + 2 < uri.Length && Uri.IsHexDigit(uri[i + 1]) && Uri.IsHexDigit(uri[i + 2]))
            {
                var c = (char)Convert.ToInt32(uri.Substring(i + 1, 2), 16);
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~') builder.Append(c);
                else builder.Append('%').Append(char.ToUpperInvariant(uri[i + 1])).Append(char.ToUpperInvariant(uri[i + 2]));
                i += 2;
            }
            else builder.Append(uri[i]);
        }
        return builder.ToString();
    }

    /// <summary>The header's jwk as a key, when it is an RSA key for RS256/PS256 or a P-256 key for ES256; else null.</summary>
    private static JsonWebKey? PublicKey(JsonElement jwk, string alg)
    {
        JsonWebKey key;
        try
        {
            key = new JsonWebKey(jwk.GetRawText());
        }
        catch (ArgumentException)
        {
            return null;
        }
        var fits = alg == SecurityAlgorithms.EcdsaSha256
            ? key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P256 && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y)
            : key.Kty == JsonWebAlgorithmsKeyTypes.RSA && !string.IsNullOrEmpty(key.N) && !string.IsNullOrEmpty(key.E);
        return fits ? key : null;
    }

    /// <summary>The proof as a signed JWT (JWS compact serialization), or null.</summary>
    private JsonWebToken? Parse(string proof)
    {
        if (proof.Length > OwnTokenReader.MaxTokenLength || !_handler.CanReadToken(proof)) return null;
        try
        {
            var jwt = new JsonWebToken(proof);
            return jwt.IsEncrypted ? null : jwt;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// The outcome of <see cref="DPoPProofValidator"/>: no proof, a valid one (its key's thumbprint) or a refused one (why,
/// and the error: invalid_dpop_proof, or use_dpop_nonce when only a current nonce is missing).
/// </summary>
public sealed record DPoPProofResult(string? Jkt, string? Problem, string Error = ProtocolErrors.InvalidDPoPProof)
{
    public static readonly DPoPProofResult Absent = new(null, null);

    public static DPoPProofResult Valid(string jkt) => new(jkt, null);

    public static DPoPProofResult Refused(string problem) => new(null, problem);

    /// <summary>RFC 9449 §8-9: the proof is good but for its nonce, missing or not a current one.</summary>
    public static DPoPProofResult NonceNeeded(string problem) => new(null, problem, ProtocolErrors.UseDPoPNonce);

    public bool IsAbsent => Jkt is null && Problem is null;
}
