namespace IdentityBridge.Federation;

/// <summary>Upstream sign-in with Xumm (OIDC, SignIn payloads, push, xApps) and the in-process simulator.</summary>
public static class FederationModule
{
    public static IServiceCollection AddBridgeFederation(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        _ = configuration;
        _ = environment;
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeFederation(this IEndpointRouteBuilder app) => app;
}
