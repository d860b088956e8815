namespace IdentityBridge.Provider;

/// <summary>The OpenID Provider: discovery, JWKS, authorize, token, userinfo, introspection, revocation, end-session.</summary>
public static class ProviderModule
{
    public static IServiceCollection AddBridgeProvider(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        _ = configuration;
        _ = environment;
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeProvider(this IEndpointRouteBuilder app) => app;
}
