using IdentityBridge.Admin.Api;
using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Services;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace IdentityBridge.Admin;

/// <summary>Administration: REST API under /admin/api (documented at /admin/openapi.json), console under /admin.</summary>
public static class AdminModule
{
    public const string ApiPrefix = Provider.AdminApiResource.Path;
    /// <summary>The OpenAPI document's name; it is served at /admin/openapi.json.</summary>
    public const string OpenApiDocument = "openapi";

    public static IServiceCollection AddBridgeAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminBearerHandler>(AdminAuth.BearerScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminAuth.ApiPolicy, p => p.AddAuthenticationSchemes(AdminAuth.BearerScheme)
                .RequireAuthenticatedUser().AddRequirements(new AdminRequirement()))
            .AddPolicy(AdminAuth.ConsolePolicy, p => p.AddAuthenticationSchemes(BridgeSession.Scheme)
                .RequireAuthenticatedUser().AddRequirements(new AdminRequirement()))
            .AddPolicy(AdminAuth.AnyPolicy, p => p.AddAuthenticationSchemes(AdminAuth.BearerScheme, BridgeSession.Scheme)
                .RequireAuthenticatedUser().AddRequirements(new AdminRequirement()));
        services.AddScoped<IAuthorizationHandler, AdminAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AdminAuthorizationResultHandler>();
        services.Configure<RazorPagesOptions>(o => o.Conventions.AuthorizeFolder("/Admin", AdminAuth.ConsolePolicy));

        // The admin API is a resource clients may name with RFC 8707 resource (the audience its tokens get anyway).
        services.AddOptions<Provider.ResourceOptions>().PostConfigure<IOptions<BridgeOptions>>((o, bridge) =>
        {
            var uri = Provider.AdminApiResource.Uri(bridge.Value.Issuer);
            if (!o.Resources.Any(r => r.Uri == uri)) o.Resources.Add(new Provider.ResourceDefinition { Uri = uri });
        });

        services.AddScoped<AdminSigningKeys>();
        services.AddSingleton<AdminClientCache>();
        services.AddSingleton<AdminAccessTokens>();

        services.AddScoped<ClientAdminService>();
        services.AddScoped<AccountAdminService>();
        services.AddScoped<SessionAdminService>();
        services.AddScoped<KeyAdminService>();
        services.AddScoped<AuditQueryService>();
        services.AddScoped<TransferService>();
        services.AddSingleton<AuditRetention>();
        services.AddHostedService<AuditRetentionService>();

        services.AddOpenApi(OpenApiDocument, o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("admin/api", StringComparison.OrdinalIgnoreCase) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "IdentityBridge admin API",
                    Version = "1",
                    Description = "Clients, accounts, wallets, roles, sessions, signing keys and the audit trail. Every call needs an " +
                                  "access token issued by this bridge with the bridge.admin scope (and so with the audience {issuer}/admin/api), " +
                                  "of an account holding the bridge-admin role or of a client (client_credentials), through a client that is " +
                                  "enabled and still allowed the bridge.admin scope. Errors are RFC 9457 problem details.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An access token of this bridge with scope bridge.admin.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(JsonBody.TransformAsync);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeAdmin(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ApiPrefix).RequireAuthorization(AdminAuth.ApiPolicy);
        ClientsApi.Map(api);
        AccountsApi.Map(api);
        SessionsApi.Map(api);
        KeysApi.Map(api);
        AuditApi.Map(api);
        ValidationApi.Map(app.MapGroup(ApiPrefix));
        app.MapOpenApi("/admin/{documentName}.json").RequireAuthorization(AdminAuth.AnyPolicy);
        return app;
    }
}
