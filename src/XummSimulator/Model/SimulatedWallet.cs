namespace XummSimulator.Model;

/// <summary>The two kinds of XRPL key pairs a simulated wallet signs with.</summary>
public enum SimulatedKeyType
{
    Secp256k1,
    Ed25519,
}

/// <summary>
/// A wallet whose key the simulator holds. <see cref="MasterKey"/> wallets were made from their key, so the address
/// is the key's own; any other address a test signs with gets a key of its own the first time, which then stands for
/// that account's regular key (the address cannot be derived from it).
/// </summary>
public sealed record SimulatedWallet(string Address, SimulatedKeyType KeyType, string PublicKey, bool MasterKey);
