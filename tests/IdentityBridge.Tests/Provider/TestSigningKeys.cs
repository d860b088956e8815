using System.Security.Cryptography;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// One RSA and one EC P-256 key per test run, as PEM files in a folder the hosts import from: RSA key
/// generation is slow, and most tests do not care which key signs. Key tests generate their own.
/// </summary>
public static class TestSigningKeys
{
    private static readonly Lazy<string> LazyFolder = new(Create);

    public static string Folder => LazyFolder.Value;

    private static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "identitybridge-test-keys", Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(folder, "rsa.pem"), rsa.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(folder, "ec.pem"), ec.ExportPkcs8PrivateKeyPem());
        return folder;
    }
}
