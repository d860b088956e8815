using System.Collections.Concurrent;
using System.Text.Json;
using IdentityBridge.RelyingParty;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EnterpriseApp.Authentication;

/// <summary>A logout token that passed every check: whose sessions to end.</summary>
public sealed record LogoutRequest(string? SessionId, string? Subject);

/// <summary>
/// Validates back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.6): signed by a key of the
/// bridge's JWKS (RS256/ES256, <c>typ</c> logout+jwt), <c>iss</c> the bridge, <c>aud</c> this client, <c>iat</c>
/// present and recent, <c>exp</c> not passed, the back-channel logout <c>events</c> member, no <c>nonce</c>,
/// <c>sid</c> or <c>sub</c>, and a <c>jti</c> accepted once.
/// </summary>
public sealed class LogoutTokenValidator(IOptionsMonitor<OidcClientOptions> oidc, IOptions<EnterpriseAppOptions> settings, TimeProvider time)
{
    public const string EventType = "http://schemas.openid.net/event/backchannel-logout";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>The sessions to end, or why the token is refused.</summary>
    public async Task<(LogoutRequest? Request, string? Error)> ValidateAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 16 * 1024 || !_handler.CanReadToken(token))
            return (null, "logout_token is missing or not a JWT");

        var manager = oidc.Get(AuthenticationSetup.BridgeScheme).ConfigurationManager
                      ?? throw new InvalidOperationException("The bridge scheme has no configuration manager.");
        var result = await ValidateSignatureAsync(token, manager, refresh: false, ct);
        if (result is { IsValid: false, Exception: SecurityTokenSignatureKeyNotFoundException })
            result = await ValidateSignatureAsync(token, manager, refresh: true, ct);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
            return (null, "the logout token is not valid (" + (result.Exception?.GetType().Name ?? "unknown") + ")");

        var now = time.GetUtcNow();
        if (!jwt.TryGetPayloadValue<long>("iat", out var iatSeconds)) return (null, "iat is missing");
        var iat = Time(iatSeconds);
        if (iat > now + Skew || iat < now - MaxAge) return (null, "iat is not recent");
        if (jwt.TryGetPayloadValue<long>("exp", out var expSeconds) && Time(expSeconds) <= now - Skew)
            return (null, "the logout token has expired");
        if (jwt.TryGetPayloadValue<object>("nonce", out _)) return (null, "a logout token must not contain nonce");
        if (!HasLogoutEvent(jwt)) return (null, "events does not contain the back-channel logout event");

        var sid = jwt.TryGetPayloadValue<string>("sid", out var s) && !string.IsNullOrEmpty(s) ? s : null;
        var sub = string.IsNullOrEmpty(jwt.Subject) ? null : jwt.Subject;
        if (sid is null && sub is null) return (null, "a logout token needs sid or sub");

        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || string.IsNullOrEmpty(jti)) return (null, "jti is missing");
        foreach (var (seen, until) in _seen)
            if (until <= now) _seen.TryRemove(seen, out _);
        if (!_seen.TryAdd(jti, now + MaxAge + Skew)) return (null, "the logout token was already used");
        return (new LogoutRequest(sid, sub), null);
    }

    /// <summary>A JWT NumericDate; values beyond what DateTimeOffset holds are clamped to its ends (compare, never add).</summary>
    private static DateTimeOffset Time(long seconds) =>
        seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() ? DateTimeOffset.MinValue
        : seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue
        : DateTimeOffset.FromUnixTimeSeconds(seconds);

    private async Task<TokenValidationResult> ValidateSignatureAsync(
        string token,
        Microsoft.IdentityModel.Protocols.IConfigurationManager<Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration> manager,
        bool refresh,
        CancellationToken ct)
    {
        if (refresh) manager.RequestRefresh();
        var configuration = await manager.GetConfigurationAsync(ct);
        var options = settings.Value;
        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Authority,
            ValidAudience = options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = ["RS256", "ES256"],
            ValidTypes = ["logout+jwt"],
            RequireSignedTokens = true,
            RequireExpirationTime = false,
            ValidateLifetime = false,
        });
    }

    private static bool HasLogoutEvent(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<JsonElement>("events", out var events) || events.ValueKind != JsonValueKind.Object) return false;
        return events.TryGetProperty(EventType, out var member) && member.ValueKind == JsonValueKind.Object;
    }
}
