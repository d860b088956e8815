using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Xumm;

/// <summary>Registration of the Xumm platform client.</summary>
public static class XummServiceCollectionExtensions
{
    /// <summary>Answers larger than this are refused; the platform's are a few kilobytes.</summary>
    public const long MaxResponseBytes = 1024 * 1024;

    /// <summary>
    /// Registers <see cref="XummPlatformOptions"/> (validated at startup), a typed <see cref="XummPlatformClient"/>
    /// through <c>IHttpClientFactory</c>, the shared <see cref="XummRateLimitState"/>, an <see cref="XAppJwtValidator"/>
    /// for the same credentials, and <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// The returned builder lets the caller replace the primary handler (tests do).
    /// </summary>
    public static IHttpClientBuilder AddXummPlatformClient(this IServiceCollection services, Action<XummPlatformOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<XummPlatformOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<XummPlatformOptions>, XummPlatformOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<XummRateLimitState>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<XummPlatformOptions>>().Value;
            return new XAppJwtValidator(options.ApiKey, options.ApiSecret, provider.GetRequiredService<TimeProvider>());
        });

        var builder = services.AddHttpClient(nameof(XummPlatformClient));
        builder.AddTypedClient((http, provider) => new XummPlatformClient(
            http,
            provider.GetRequiredService<IOptions<XummPlatformOptions>>().Value,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<XummPlatformClient>>(),
            provider.GetRequiredService<XummRateLimitState>()));
        return builder
            .ConfigureHttpClient(http => http.MaxResponseContentBufferSize = MaxResponseBytes)
            // The factory's own request logging would write URLs, and xApp one-time tokens travel in the path.
            .RemoveAllLoggers();
    }
}
