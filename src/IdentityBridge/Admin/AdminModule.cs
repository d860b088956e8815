namespace IdentityBridge.Admin;

/// <summary>Administration: REST API under /admin/api, console under /admin.</summary>
public static class AdminModule
{
    public static IServiceCollection AddBridgeAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeAdmin(this IEndpointRouteBuilder app) => app;
}
