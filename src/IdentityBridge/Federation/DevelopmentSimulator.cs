using IdentityBridge.Configuration;
using Microsoft.Extensions.Options;
using XummSimulator;

namespace IdentityBridge.Federation;

/// <summary>
/// The Xumm simulator hosted inside the bridge (<c>Xumm:Simulator:Enabled</c>, refused in Production): one
/// registered application with the configured API key and secret, redirecting to <c>{Issuer}/signin-xumm</c>.
/// The upstream sign-in then talks to <c>{Issuer}/xumm-sim</c> instead of oauth2.xumm.app.
/// </summary>
public static class DevelopmentSimulator
{
    public const string Prefix = "/xumm-sim";
    public const string PlatformApiPath = "/api/v1/platform";

    /// <summary>Where the simulator posts payload resolutions.</summary>
    public const string WebhookPath = "/xumm/webhook";

    /// <summary>Credentials used with the simulator when none are configured (they unlock nothing real).</summary>
    internal const string DefaultApiKey = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3";
    internal const string DefaultApiSecret = "d3c2b1a0-9f8e-4d7c-8b6a-5f4e3d2c1b0a";

    internal static void Register(IServiceCollection services)
    {
        services.AddSingleton<Marker>();
        services.AddXummSimulator();
        services.AddOptions<XummSimulatorOptions>().Configure<IOptions<XummOptions>, IOptions<BridgeOptions>>((simulator, xumm, bridge) =>
        {
            var issuer = bridge.Value.Issuer.TrimEnd('/');
            var settings = xumm.Value;
            simulator.Issuer = issuer + Prefix;
            simulator.AutoApprove = string.IsNullOrWhiteSpace(settings.Simulator.AutoApprove) ? null : settings.Simulator.AutoApprove;
            simulator.Network = settings.Simulator.Network;
            var app = new XummSimulatorApp
            {
                ApiKey = settings.ApiKey,
                ApiSecret = settings.ApiSecret,
                Name = "IdentityBridge (development)",
                WebhookUrl = issuer + WebhookPath,
            };
            app.RedirectUris.Add(issuer + XummSignIn.CallbackPath);
            simulator.Apps.Add(app);
        });
    }

    internal static void Map(IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<Marker>() is not null)
            endpoints.MapXummSimulator(Prefix);
    }

    /// <summary>Points the Xumm settings at the in-process simulator when it is enabled.</summary>
    internal sealed class Endpoints(IOptions<BridgeOptions> bridge) : IPostConfigureOptions<XummOptions>
    {
        public void PostConfigure(string? name, XummOptions options)
        {
            if (!options.Simulator.Enabled) return;
            var root = bridge.Value.Issuer.TrimEnd('/') + Prefix;
            options.Authority = root;
            options.ApiBaseUrl = root + PlatformApiPath;
            if (string.IsNullOrWhiteSpace(options.ApiKey)) options.ApiKey = DefaultApiKey;
            if (string.IsNullOrWhiteSpace(options.ApiSecret)) options.ApiSecret = DefaultApiSecret;
        }
    }

    private sealed class Marker;
}
