using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider;

/// <summary>The OpenID Provider: discovery, JWKS, authorize, token, userinfo, introspection, revocation, end-session.</summary>
public static class ProviderModule
{
    public static IServiceCollection AddBridgeProvider(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        _ = configuration;
        services.AddAuthentication(BridgeSession.Scheme)
            .AddCookie(BridgeSession.Scheme, o =>
            {
                o.Cookie.Name = BridgeSession.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.LoginPath = LoginInteraction.LoginPath;
                o.ReturnUrlParameter = LoginInteraction.ReturnUrlParameter;
                o.SlidingExpiration = false;
            });
        services.AddAuthorization();
        services.AddScoped<SessionService>();
        services.AddScoped<AuthorizeErrorResponder>();
        services.AddSingleton<AccessTokenValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeProvider(this IEndpointRouteBuilder app) => app;
}
