using System.Security.Cryptography;

namespace IdentityBridge.Xumm;

/// <summary>XRPL classic address codec (temporary minimal version).</summary>
public static class XrplAddress
{
    private const string Alphabet = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz";

    public static bool IsValid(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length is < 25 or > 35 || address[0] != 'r') return false;
        var value = System.Numerics.BigInteger.Zero;
        foreach (var c in address)
        {
            var digit = Alphabet.IndexOf(c);
            if (digit < 0) return false;
            value = value * 58 + digit;
        }
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var leading = address.TakeWhile(c => c == 'r').Count();
        var full = new byte[leading + bytes.Length];
        bytes.CopyTo(full, leading);
        if (full.Length != 25 || full[0] != 0) return false;
        var check = SHA256.HashData(SHA256.HashData(full.AsSpan(0, 21)));
        return check.AsSpan(0, 4).SequenceEqual(full.AsSpan(21, 4));
    }
}
