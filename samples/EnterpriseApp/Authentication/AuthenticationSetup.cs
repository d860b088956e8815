using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace EnterpriseApp.Authentication;

/// <summary>
/// Three schemes: the local session cookie, the bridge login (the repository's OpenID Connect client handler)
/// and JwtBearer for /api, which accepts the bridge's access tokens issued to this client.
/// </summary>
public static class AuthenticationSetup
{
    public const string CookieScheme = "cookie";
    public const string BridgeScheme = "bridge";
    public const string ApiScheme = "api";
    public const string ApiPolicy = "api";
    public const string CallbackPath = "/signin-bridge";

    public static IServiceCollection AddEnterpriseAuthentication(this IServiceCollection services, EnterpriseAppOptions settings)
    {
        var authority = new Uri(settings.Authority);
        var https = authority.Scheme == Uri.UriSchemeHttps;

        services.AddSingleton<LocalSessionStore>();
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme)
            .Configure<LocalSessionStore>((options, store) => options.SessionStore = store);

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieScheme;
                o.DefaultChallengeScheme = BridgeScheme;
            })
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "enterprise.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = false;
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/";
            })
            .AddOidcClient(BridgeScheme, "IdentityBridge", o =>
            {
                o.Authority = settings.Authority;
                o.ClientId = settings.ClientId;
                o.ClientSecret = settings.ClientSecret;
                o.TokenEndpointAuthMethod = OidcClientAuthenticationMethod.ClientSecretBasic;
                o.CallbackPath = CallbackPath;
                o.SignInScheme = CookieScheme;
                o.SaveTokens = true;
                o.AllowedSigningAlgorithms.Add("ES256");
                o.Scope.Clear();
                foreach (var scope in settings.Scopes) o.Scope.Add(scope);
                // The correlation cookie returns with a top-level GET redirect: Lax is enough, and over plain http
                // in development it must not be Secure.
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ClaimActions.MapUniqueJsonKey(BridgeClaims.SessionId, BridgeClaims.SessionId);
                o.ClaimActions.MapUniqueJsonKey(BridgeClaims.Email, BridgeClaims.Email);
                o.ClaimActions.MapUniqueJsonKey(BridgeClaims.Wallet, BridgeClaims.Wallet);
                o.ClaimActions.MapUniqueJsonKey(BridgeClaims.Network, BridgeClaims.Network);
                o.ClaimActions.MapJsonKey(BridgeClaims.KycApproved, BridgeClaims.KycApproved);
                o.ClaimActions.MapJsonKey(BridgeClaims.Wallets, BridgeClaims.Wallets);
                o.ClaimActions.MapJsonKey(BridgeClaims.Role, BridgeClaims.Roles);
                // The bridge's registered post-logout URI is the home page, not the handler's callback path:
                // name it directly and let the home page be the landing.
                o.SignedOutCallbackPath = PathString.Empty;
                o.Events.OnRedirectToEndSessionEndpoint = context =>
                {
                    context.Response.Redirect(QueryHelpers.AddQueryString(context.RedirectUri, "post_logout_redirect_uri", settings.PostLogoutRedirectUri));
                    return Task.CompletedTask;
                };
            })
            .AddJwtBearer(ApiScheme, o =>
            {
                o.Authority = settings.Authority;
                o.Audience = settings.ClientId;
                o.RequireHttpsMetadata = https;
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Authority,
                    ValidAudience = settings.ClientId,
                    ValidTypes = ["at+jwt"],
                    ValidAlgorithms = ["RS256", "ES256"],
                    NameClaimType = BridgeClaims.Subject,
                    RoleClaimType = BridgeClaims.Roles,
                    ClockSkew = TimeSpan.FromSeconds(60),
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(ApiScheme).RequireAuthenticatedUser());
        return services;
    }
}
