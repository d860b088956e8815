using System.Net.Http.Headers;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// GET/POST /connect/userinfo (OIDC Core §5.3): the bearer token from the Authorization header or the
/// <c>access_token</c> form field (RFC 6750 §2.1-2.2), validated by <see cref="AccessTokenValidator"/> and
/// with the client itself as its audience (not a resource server's token); returns the claims of the token's
/// scopes, the same as in the ID token. A DPoP-bound token (RFC 9449 §7) is taken only with the DPoP scheme
/// and a proof of its key; its refusals carry the DPoP challenge.
/// </summary>
public static class UserInfoEndpoint
{
    private const string Realm = "IdentityBridge";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapMethods(ProviderUrls.UserInfoPath, [HttpMethods.Get, HttpMethods.Post], HandleAsync).DisableAntiforgery();

    private static async Task<IResult> HandleAsync(HttpContext context, AccessTokenValidator validator, DPoPProofValidator dpop, BridgeDbContext db, CancellationToken ct)
    {
        var request = context.Request;
        // RFC 9110 §5.3: Authorization is a singleton field; sent twice, it is neither a token nor its absence.
        if (request.Headers.Authorization.Count > 1)
            return Challenge(StatusCodes.Status400BadRequest, ProtocolErrors.InvalidRequest, "The Authorization header was sent more than once.");
        string? header = null;
        var dpopScheme = false;
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var auth))
        {
            dpopScheme = string.Equals(auth.Scheme, DPoPProofValidator.Scheme, StringComparison.OrdinalIgnoreCase);
            if (dpopScheme || string.Equals(auth.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)) header = auth.Parameter;
        }
        string? body = null;
        if (HttpMethods.IsPost(request.Method) && OAuthParameters.IsFormUrlEncoded(request))
        {
            var (form, formError) = await OAuthParameters.ReadFormAsync(request, "The request must be application/x-www-form-urlencoded.", ct);
            if (form is null)
                return Challenge(StatusCodes.Status400BadRequest, ProtocolErrors.InvalidRequest, formError!.Description);
            if (form.UnreadableError is { } unreadable)
                return Challenge(StatusCodes.Status400BadRequest, ProtocolErrors.InvalidRequest, unreadable.Description);
            // RFC 6750 §3.1 knows invalid_request only, also for a repeated resource (which userinfo does not take).
            if (form.Duplicate is { } duplicate)
                return Challenge(StatusCodes.Status400BadRequest, ProtocolErrors.InvalidRequest, $"The {ErrorDescription.Echo(duplicate)} parameter was sent more than once.");
            body = form["access_token"];
        }
        if (header is not null && body is not null)
            return Challenge(StatusCodes.Status400BadRequest, ProtocolErrors.InvalidRequest, "Send the access token in one place only.", dpopScheme);
        var token = header ?? body;
        if (token is null) return Challenge(StatusCodes.Status401Unauthorized, null, null, dpopScheme);

        // The account is read below for its claims; its status is checked there.
        var validated = await validator.ValidateTokenAsync(token, ct, callerChecksAccount: true);
        if (validated?.AccountId is null)
            return Challenge(StatusCodes.Status401Unauthorized, ProtocolErrors.InvalidToken, "The access token is invalid, expired or revoked.", dpopScheme);
        var boundJkt = DPoPProofValidator.BoundKey(validated.Token);
        // From here on, a bound token or the DPoP scheme is answered with the DPoP challenge (RFC 9449 §7.1).
        var dpopChallenge = dpopScheme || boundJkt is not null;
        if (await dpop.CheckPresentationAsync(request, dpopScheme, token, boundJkt, ct) is { } refused)
            return Challenge(StatusCodes.Status401Unauthorized, refused.Error, refused.Description, dpopChallenge);
        // Userinfo is the client's own: a token issued for a resource server (RFC 8707 resource, or the admin API)
        // has that server as its audience instead of the client, and is for that server alone.
        if (!IsForTheClient(validated))
            return Challenge(StatusCodes.Status401Unauthorized, ProtocolErrors.InvalidToken,
                "The access token is for another audience (a resource server); userinfo takes a token whose audience is the client.", dpopChallenge);
        var scopes = validated.Scopes;
        if (!scopes.Contains(OidcScopes.OpenId))
            return Challenge(StatusCodes.Status403Forbidden, ProtocolErrors.InsufficientScope, "The access token was not issued for openid.", dpopChallenge);

        // OIDC Core §5.5: the claims the authorize request asked for here by name, beyond those of the scopes.
        var requested = validated.Token.TryGetPayloadValue<string[]>(TokenIssuer.UserInfoClaimsClaim, out var r) ? r : null;
        var account = await HotQueries.AccountForScopes(db, validated.AccountId, UserClaims.ScopesWith(scopes, requested), ct);
        if (account is null) return Challenge(StatusCodes.Status401Unauthorized, ProtocolErrors.InvalidToken, "The account no longer exists.", dpopChallenge);
        if (account.Status != AccountStatus.Active)
            return Challenge(StatusCodes.Status401Unauthorized, ProtocolErrors.InvalidToken, "The access token is invalid, expired or revoked.", dpopChallenge);

        var jwt = validated.Token;
        var wallet = jwt.TryGetPayloadValue<string>("xrpl_address", out var w) ? w : null;
        var network = jwt.TryGetPayloadValue<string>("xrpl_network", out var n) ? n : null;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = jwt.Subject };
        foreach (var (key, value) in UserClaims.For(account, scopes, requested, wallet, network)) claims[key] = value;
        return ProtocolResults.NoStoreJson(claims);
    }

    /// <summary>Whether the token's only audience is the client it was issued to, as for every token asked for without a resource.</summary>
    private static bool IsForTheClient(ValidatedAccessToken token)
    {
        var audiences = token.Token.Audiences.ToList();
        return audiences.Count > 0 && audiences.TrueForAll(a => a == token.ClientId);
    }

    /// <summary>
    /// RFC 6750 §3: the Bearer challenge, with the error (in the header and a JSON body) only when the request
    /// carried authentication; without any, the challenge alone and no body (§3.1). With <paramref name="dpop"/>
    /// (the DPoP scheme was used, or the token is DPoP-bound), the DPoP challenge of RFC 9449 §7.1 instead.
    /// </summary>
    private static ChallengeResult Challenge(int status, string? error, string? description, bool dpop = false) =>
        new(status, error, ErrorDescription.Clean(description), dpop);

    private sealed class ChallengeResult(int status, string? error, string? description, bool dpop) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var value = dpop ? DPoPProofValidator.Challenge(Realm, error, description) : $"Bearer realm=\"{Realm}\"";
            if (!dpop && error is not null) value += $", error=\"{error}\", error_description=\"{description}\"";
            context.Response.StatusCode = status;
            context.Response.Headers.WWWAuthenticate = value;
            context.Response.Headers.CacheControl = "no-store";
            // Without an error the challenge alone answers; the status-code pages leave a challenged response bodiless.
            if (error is null) return Task.CompletedTask;
            return context.Response.WriteAsJsonAsync(new { error, error_description = description });
        }
    }
}
