using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XummSimulator;

namespace IdentityBridge.Tests.Simulator;

public sealed class OptionsTests
{
    [Fact]
    public void Options_bind_from_the_simulator_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulator:Network"] = "TESTNET",
            ["Simulator:AutoApprove"] = SimulatorHost.Wallet,
            ["Simulator:TokenLifetime"] = "02:00:00",
            ["Simulator:Apps:0:ApiKey"] = SimulatorHost.ApiKey,
            ["Simulator:Apps:0:ApiSecret"] = SimulatorHost.ApiSecret,
            ["Simulator:Apps:0:Name"] = "Bound",
            ["Simulator:Apps:0:RedirectUris:0"] = SimulatorHost.RedirectUri,
            ["Simulator:UserBlocked:0"] = SimulatorHost.OtherWallet,
            ["Simulator:WebhookRetryDelays:0"] = "00:00:01",
        }).Build();
        var services = new ServiceCollection().AddXummSimulator();
        services.AddOptions<XummSimulatorOptions>().Bind(configuration.GetSection(XummSimulatorDefaults.ConfigurationSection));

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<XummSimulatorOptions>>().Value;

        Assert.Equal("TESTNET", options.Network);
        Assert.Equal(TimeSpan.FromHours(2), options.TokenLifetime);
        Assert.Equal(SimulatorHost.RedirectUri, Assert.Single(Assert.Single(options.Apps).RedirectUris));
        Assert.Equal(SimulatorHost.OtherWallet, Assert.Single(options.UserBlocked));
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(options.WebhookRetryDelays!));
    }

    [Fact]
    public void Invalid_options_are_reported_with_their_key()
    {
        var services = new ServiceCollection().AddXummSimulator(o =>
        {
            o.Apps.Add(new XummSimulatorApp { ApiKey = "not-a-uuid", ApiSecret = SimulatorHost.ApiSecret, Name = "x" });
            o.Network = "MOON";
        });
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<XummSimulatorOptions>>().Value);

        Assert.Contains(failure.Failures, f => f.Contains("Simulator:Apps:0:ApiKey", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Simulator:Network", StringComparison.Ordinal));
    }
}
