using IdentityBridge.Configuration;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Federation.Webhooks;
using IdentityBridge.Federation.XApps;
using IdentityBridge.Pages.SignIn;
using IdentityBridge.Provider.Ciba;
using IdentityBridge.Provider.Discovery;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Xumm;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// The bridge-hosted sign-in with Xumm SignIn payloads and everything that hangs off it: the platform client,
/// QR / deep link / push sign-in pages, payload following (websocket, polling), the webhook receiver, user tokens,
/// xApps (page and RFC 8693 token exchange) and CIBA (endpoint, grant, ping, discovery).
/// </summary>
public static class PayloadSignInModule
{
    /// <summary>Where the in-process simulator serves the platform API in development.</summary>
    public const string SimulatorPlatformPath = "/xumm-sim/api/v1/platform";

    public static IServiceCollection AddPayloadSignIn(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<PayloadSignInOptions>().BindChecked(configuration.GetSection(PayloadSignInOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PayloadSignInOptions>, PayloadSignInOptionsValidator>();

        // The platform client takes its credentials from the Xumm section (after any post-configuration).
        services.AddXummPlatformClient(_ => { });
        services.AddOptions<XummPlatformOptions>().Configure<IOptions<XummOptions>, IOptions<BridgeOptions>>((platform, xumm, bridge) =>
        {
            var settings = xumm.Value;
            platform.ApiKey = settings.ApiKey;
            platform.ApiSecret = settings.ApiSecret;
            platform.ApiBaseUrl = environment.IsDevelopment() && settings.Simulator.Enabled
                ? bridge.Value.Issuer.TrimEnd('/') + SimulatorPlatformPath
                : settings.ApiBaseUrl;
        });

        services.AddSingleton<SignInSignals>();
        services.AddSingleton<PayloadPollGate>();
        services.TryAddSingleton<IPayloadSocketConnector, ClientWebSocketConnector>();
        services.AddSingleton<PayloadFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<PayloadFollower>());
        services.AddSingleton<SignInCookies>();
        services.AddScoped<SignInRequestStore>();
        services.AddScoped<PayloadResolver>();
        services.AddScoped<SignInPayloads>();
        services.AddScoped<LoginContextReader>();
        services.AddScoped<BrowserSignIn>();
        services.AddScoped<SignInPageServices>();

        services.AddScoped<UserTokenStore>();
        services.AddHostedService<UserTokenMaintenance>();

        services.AddSingleton<WebhookQueue>();
        services.AddHostedService<WebhookWorker>();

        services.AddScoped<XAppSignIn>();
        services.AddGrantHandler<TokenExchangeGrant>(GrantTypeNames.TokenExchange);

        services.AddScoped<CibaRequestValidator>();
        services.AddGrantHandler<CibaGrant>(GrantTypeNames.Ciba);
        services.AddSingleton<CibaPingNotifier>();
        services.AddSingleton<ISignInResolutionObserver>(sp => sp.GetRequiredService<CibaPingNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<CibaPingNotifier>());
        services.AddSingleton<IPendingNotificationKind>(sp => sp.GetRequiredService<CibaPingNotifier>());
        services.AddSingleton<IDiscoveryContributor, CibaDiscovery>();
        services.AddHttpClient(CibaPingNotifier.HttpClientName, c => c.Timeout = CibaPingNotifier.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .RemoveAllLoggers();
        return services;
    }

    public static IEndpointRouteBuilder MapPayloadSignIn(this IEndpointRouteBuilder app)
    {
        SignInEndpoints.Map(app);
        WebhookEndpoint.Map(app);
        XAppEndpoint.Map(app);
        CibaEndpoint.Map(app);
        return app;
    }
}
