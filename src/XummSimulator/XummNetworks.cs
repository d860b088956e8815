using System.Diagnostics.CodeAnalysis;

namespace XummSimulator;

/// <summary>The networks the simulator knows, with the node endpoint and network id the platform reports.</summary>
public static class XummNetworks
{
    public static readonly XummNetwork Mainnet = new("MAINNET", "wss://xrplcluster.com", 0);
    public static readonly XummNetwork Testnet = new("TESTNET", "wss://s.altnet.rippletest.net:51233", 1);
    public static readonly XummNetwork Devnet = new("DEVNET", "wss://s.devnet.rippletest.net:51233", 2);
    public static readonly XummNetwork Xahau = new("XAHAU", "wss://xahau.network", 21337);
    public static readonly XummNetwork XahauTestnet = new("XAHAUTESTNET", "wss://xahau-test.net", 21338);

    public static IReadOnlyList<XummNetwork> All { get; } = [Mainnet, Testnet, Devnet, Xahau, XahauTestnet];

    /// <summary>Looks a network up by name, ignoring case.</summary>
    public static bool TryFind(string? name, [NotNullWhen(true)] out XummNetwork? network)
    {
        network = All.FirstOrDefault(n => string.Equals(n.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        return network is not null;
    }
}
