using System.Numerics;
using System.Security.Cryptography;

namespace IdentityBridge.Tests.Provider;

/// <summary>Fresh, valid XRPL classic addresses, so every test signs in with an account of its own.</summary>
public static class TestWallets
{
    private const string Alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

    public static string New()
    {
        var payload = new byte[25];
        RandomNumberGenerator.Fill(payload.AsSpan(1, 20));
        SHA256.HashData(SHA256.HashData(payload.AsSpan(0, 21))).AsSpan(0, 4).CopyTo(payload.AsSpan(21));
        var value = new BigInteger(payload, isUnsigned: true, isBigEndian: true);
        var chars = new List<char>();
        while (value > 0)
        {
            chars.Add(Alphabet[(int)(value % 58)]);
            value /= 58;
        }
        foreach (var b in payload)
        {
            if (b != 0) break;
            chars.Add(Alphabet[0]);
        }
        chars.Reverse();
        var address = new string(chars.ToArray());
        return global::IdentityBridge.Xumm.XrplAddress.IsValid(address) ? address : throw new InvalidOperationException("address codec mismatch");
    }
}
