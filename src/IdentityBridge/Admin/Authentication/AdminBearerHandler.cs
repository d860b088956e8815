using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using IdentityBridge.Configuration;
using IdentityBridge.Provider;
using IdentityBridge.Provider.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Admin.Authentication;

/// <summary>
/// Authenticates admin API calls with an access token this bridge issued for the admin API (audience
/// <see cref="AdminApiResource"/>; RFC 6750 header only). A DPoP-bound token (RFC 9449 §7) is taken with the DPoP
/// scheme and a proof of its key only.
/// Challenges and refusals answer with <c>WWW-Authenticate: Bearer</c> (<c>DPoP</c> for the DPoP scheme or a bound
/// token) and a problem body.
/// </summary>
public sealed class AdminBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminAccessTokens tokens,
    DPoPProofValidator dpop,
    IOptions<BridgeOptions> bridge,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string FailureItem = "bridge.admin.bearer-failure";
    private const string FailureErrorItem = "bridge.admin.bearer-failure-error";
    private const string DPoPItem = "bridge.admin.dpop";
    private const string Realm = "IdentityBridge admin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        var dpopScheme = header.StartsWith(DPoPProofValidator.Scheme + " ", StringComparison.OrdinalIgnoreCase);
        if (!dpopScheme && !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        if (dpopScheme) Context.Items[DPoPItem] = true;
        var token = header[(dpopScheme ? DPoPProofValidator.Scheme.Length + 1 : "Bearer ".Length)..].Trim();
        if (token.Length is 0 or > 8192) return Fail("The access token is malformed.");

        var principal = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (principal is null) return Fail("The access token is not valid.");
        var boundJkt = DPoPProofValidator.BoundKey(principal);
        if (boundJkt is not null) Context.Items[DPoPItem] = true;
        if (await dpop.CheckPresentationAsync(Request, dpopScheme, token, boundJkt, Context.RequestAborted) is { } refused)
            return Fail(refused.Description, refused.Error);
        var issuer = principal.FindFirstValue("iss");
        if (!string.Equals(issuer, bridge.Value.Issuer, StringComparison.Ordinal)) return Fail("The access token was not issued by this bridge.");
        // RFC 9068 §4: a token with the admin scope is accepted only when issued for the admin API. (One without
        // the scope is refused anyway, with insufficient_scope: asking for the scope also brings the audience.)
        if (HasAdminScope(principal) &&
            !principal.FindAll("aud").Any(a => string.Equals(a.Value, AdminApiResource.Uri(bridge.Value.Issuer), StringComparison.Ordinal)))
            return Fail("The access token was not issued for the admin API.");
        if (principal.FindFirstValue("exp") is { } exp &&
            long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) &&
            DateTimeOffset.FromUnixTimeSeconds(seconds) <= time.GetUtcNow())
            return Fail("The access token has expired.");
        var subject = principal.FindFirstValue("sub") ?? principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(subject)) return Fail("The access token has no subject.");

        var claims = principal.Claims.Where(c => c.Type != "sub").Append(new Claim("sub", subject));
        var identity = new ClaimsIdentity(claims, Scheme.Name, "sub", "roles");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private static bool HasAdminScope(ClaimsPrincipal principal) =>
        principal.FindAll("scope").Concat(principal.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(AdminAuth.Scope, StringComparer.Ordinal);

    private AuthenticateResult Fail(string description, string error = "invalid_token")
    {
        Context.Items[FailureItem] = description;
        Context.Items[FailureErrorItem] = error;
        return AuthenticateResult.Fail(description);
    }

    /// <summary>The challenge of the scheme the request used (DPoP also for a bound token presented as Bearer, RFC 9449 §7.1).</summary>
    private string ChallengeFor(string? error, string? description) =>
        Context.Items.ContainsKey(DPoPItem)
            ? DPoPProofValidator.Challenge(Realm, error, description)
            : error is null ? $"Bearer realm=\"{Realm}\"" : $"Bearer realm=\"{Realm}\", error=\"{error}\", error_description=\"{description}\"";

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items[FailureItem] as string;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = ChallengeFor(failure is null ? null : Context.Items[FailureErrorItem] as string, failure);
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required",
            failure ?? $"Send an access token with the {AdminAuth.Scope} scope in the Authorization header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var denial = Context.Items[AdminAuth.DenialItem] as AdminDenial?;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        if (denial == AdminDenial.InsufficientScope)
        {
            Response.Headers.WWWAuthenticate =
                ChallengeFor("insufficient_scope", $"The {AdminAuth.Scope} scope is required.") + $", scope=\"{AdminAuth.Scope}\"";
            return WriteProblemAsync(StatusCodes.Status403Forbidden, "Insufficient scope", $"The access token lacks the {AdminAuth.Scope} scope.");
        }
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            "The caller is not an administrator of this bridge (an account with the bridge-admin role, or an enabled client).");
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
}
