namespace XummSimulator;

/// <summary>A ledger network a wallet can sign on, as the platform reports it.</summary>
public sealed record XummNetwork(string Name, string Endpoint, int NetworkId);
