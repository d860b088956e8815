using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XummSimulator.Internal;
using XummSimulator.Platform;
using XummSimulator.Webhooks;

namespace XummSimulator;

public static class XummSimulatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the simulator: options (validated at start), the state singleton, the rate limiter and
    /// the webhook dispatcher. Time comes from the registered <see cref="TimeProvider"/> (the system clock
    /// unless the host registered another one).
    /// </summary>
    public static IServiceCollection AddXummSimulator(this IServiceCollection services, Action<XummSimulatorOptions>? configure = null)
    {
        var options = services.AddOptions<XummSimulatorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<XummSimulatorOptions>, XummSimulatorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookQueue>();
        services.TryAddSingleton<PlatformRateLimiter>();
        services.TryAddSingleton(sp => new XummSimulatorState(
            sp.GetRequiredService<IOptions<XummSimulatorOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WebhookQueue>()));
        services.AddHttpClient(XummSimulatorDefaults.WebhookHttpClientName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookDispatcher>());
        return services;
    }
}
