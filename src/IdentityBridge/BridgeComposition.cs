using IdentityBridge.Accounts;
using IdentityBridge.Admin;
using IdentityBridge.Audit;
using IdentityBridge.Clients;
using IdentityBridge.Configuration;
using IdentityBridge.Federation;
using IdentityBridge.Operations;
using IdentityBridge.Provider;
using IdentityBridge.Security;
using IdentityBridge.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityBridge;

/// <summary>Composition of the bridge: each module registers its services and maps its endpoints.</summary>
public static class BridgeComposition
{
    public static WebApplicationBuilder AddIdentityBridge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.AddBridgeLogging();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1 * 1024 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Limits.MaxRequestLineSize = 16 * 1024;
        });
        services.Configure<FormOptions>(o =>
        {
            o.ValueCountLimit = 200;
            o.ValueLengthLimit = 64 * 1024;
            o.KeyLengthLimit = 256;
        });

        services.AddOptions<BridgeOptions>().BindChecked(configuration.GetSection(BridgeOptions.Section))
            .PostConfigure(o => o.RemoveBlankEntries()).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BridgeOptions>, BridgeOptionsValidator>();
        services.AddOptions<XummOptions>().BindChecked(configuration.GetSection(XummOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<XummOptions>, XummOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddProblemDetails();
        services.AddExceptionHandler<GlobalExceptionHandler>();
        services.AddBridgeRateLimiting(configuration.GetSection($"{BridgeOptions.Section}:RateLimits").Get<RateLimitOptions>() ?? new());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__bridge_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddRazorPages().AddMvcOptions(o => o.Filters.Add(new Pages.PageHandlerRequired()));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<BridgeOptions>>((o, bridge) => ConfigureForwardedHeaders(o, bridge.Value.ForwardedHeaders));

        // A certificate that cannot be used is reported by the options validation, which stops the start.
        services.AddBridgeStorage(LoadKeyRingCertificates(configuration, builder.Environment));
        services.AddBridgeHealth();
        services.AddSingleton<AuditQueue>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AnonymousEventSampler>();
        services.AddHostedService<AuditWriter>();
        services.AddScoped<AccountService>();
        services.AddScoped<ClientImporter>();
        services.AddSingleton<IBridgeInitializer, DatabaseInitializer>();
        services.AddHostedService<BridgeStartup>();

        services.AddBridgeProvider(configuration, builder.Environment);
        services.AddBridgeFederation(configuration, builder.Environment);
        Federation.Payload.PayloadSignInModule.AddPayloadSignIn(services, configuration, builder.Environment);
        services.AddBridgeAdmin(configuration);
        return builder;
    }

    private static KeyRingCertificates? LoadKeyRingCertificates(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection($"{BridgeOptions.Section}:KeyRing").Get<KeyRingOptions>() ?? new();
        return KeyRingCertificates.TryLoad(options, environment.ContentRootPath);
    }

    /// <summary>
    /// X-Forwarded-For / X-Forwarded-Proto are believed from loopback (the default) and from the proxies and networks
    /// in Bridge:ForwardedHeaders; from any other sender they are ignored, so a client cannot choose its own address.
    /// The entries were checked at startup (BridgeOptionsValidator).
    /// </summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions o, ForwardedHeadersSettings settings)
    {
        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        foreach (var proxy in settings.KnownProxies)
            if (System.Net.IPAddress.TryParse(proxy.Trim(), out var address)) o.KnownProxies.Add(address);
        foreach (var network in settings.KnownNetworks)
            if (System.Net.IPNetwork.TryParse(network.Trim(), out var parsed)) o.KnownIPNetworks.Add(parsed);
    }

    public static WebApplication UseIdentityBridge(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusPages.WriteAsync);
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapBridgeHealth();
        app.MapBridgeProvider();
        app.MapBridgeFederation();
        Federation.Payload.PayloadSignInModule.MapPayloadSignIn(app);
        app.MapBridgeAdmin();
        app.MapRazorPages();
        return app;
    }

    /// <summary>Runs the startup work (migrations, client import, signing keys, ...).</summary>
    public static async Task InitializeIdentityBridgeAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        services.ValidateIdentityBridgeSettings();
        foreach (var initializer in services.GetServices<IBridgeInitializer>().OrderBy(i => i.Order))
            await initializer.InitializeAsync(services, ct);
    }

    /// <summary>
    /// Resolving the options runs their validation: a bad configuration stops here with a clear message
    /// (an <see cref="OptionsValidationException"/> naming every refused setting).
    /// </summary>
    public static void ValidateIdentityBridgeSettings(this IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<BridgeOptions>>().Value;
        _ = services.GetRequiredService<IOptions<XummOptions>>().Value;
    }
}
