using IdentityBridge.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation;

/// <summary>In Development, one log line once the server listens that says where to click.</summary>
internal sealed class DevelopmentHint(IHostApplicationLifetime lifetime, IOptions<BridgeOptions> bridge, IOptions<XummOptions> xumm, ILogger<DevelopmentHint> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Write);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Write()
    {
        var home = bridge.Value.Issuer.TrimEnd('/') + "/";
        var simulator = xumm.Value.Simulator;
        if (!simulator.Enabled)
        {
            logger.LogInformation("Open {Home} and sign in with Xumm ({Authority}).", home, xumm.Value.Authority);
            return;
        }
        var approval = simulator.AutoApprove is { Length: > 0 } wallet
            ? $"every sign-in is approved at once as {wallet}"
            : "approve or reject each sign-in on the simulator's page";
        logger.LogInformation("Open {Home} and sign in: Xumm is simulated at {Simulator} ({Approval}, network {Network}).",
            home, xumm.Value.Authority, approval, simulator.Network);
    }
}
