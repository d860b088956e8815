using System.Security.Cryptography;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>RSA keys made once per test run: generating 2048-bit keys per test costs more than the tests.</summary>
internal static class TestKeys
{
    private static readonly Lazy<RSA>[] Keys = Enumerable.Range(0, 5).Select(_ => new Lazy<RSA>(() => RSA.Create(2048))).ToArray();

    public static RSA Provider => Keys[0].Value;

    public static RSA First => Keys[1].Value;

    public static RSA Second => Keys[2].Value;

    public static RSA Third => Keys[3].Value;

    public static RSA Stranger => Keys[4].Value;
}
