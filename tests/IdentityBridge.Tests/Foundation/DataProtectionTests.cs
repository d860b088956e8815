using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Tests.Foundation;

/// <summary>Two nodes on one database share the data protection key ring, and only through the database.</summary>
public sealed class DataProtectionTests
{
    /// <summary>
    /// A node whose fallback key ring (used only when the bridge configures no repository) is a folder of its own.
    /// Both nodes run in one process, where the framework's default would be one shared folder under the user's
    /// profile: with it, the test would pass whether or not the key ring is in the database.
    /// </summary>
    private class Node : BridgeFactory
    {
        public string FallbackFolder { get; } = Path.Combine(Path.GetTempPath(), "bridge-dp-" + Guid.NewGuid().ToString("N"));

        public Node()
        {
            ConfigureTestServices = services => services.PostConfigure<KeyManagementOptions>(o =>
                o.XmlRepository ??= new FileSystemXmlRepository(new DirectoryInfo(FallbackFolder), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (Directory.Exists(FallbackFolder)) Directory.Delete(FallbackFolder, recursive: true);
        }
    }

    private sealed class SecondNode(string connectionString, string? certificate = null, string? previous = null) : Node
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            Settings["Bridge:Database:ConnectionString"] = connectionString;
            if (certificate is not null) Settings["Bridge:KeyRing:CertificatePath"] = certificate;
            if (previous is not null) Settings["Bridge:KeyRing:PreviousCertificatePaths:0"] = previous;
            Settings["Bridge:KeyRing:CertificatePassword"] = CertificatePassword;
            base.ConfigureWebHost(builder);
        }
    }

    private sealed class EncryptingNode : Node
    {
        public EncryptingNode(string certificate) => Settings["Bridge:KeyRing:CertificatePath"] = certificate;
    }

    private const string CertificatePassword = "key-ring-test";

    /// <summary>A self-signed RSA certificate with its private key, as a password-protected PKCS#12 file.</summary>
    private static string CreateCertificate(string folder, string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, CertificatePassword));
        return path;
    }

    private static async Task<List<string>> StoredKeyRingAsync(BridgeFactory node)
    {
        await using var db = await node.Services.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContextAsync();
        return await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
    }

    [Fact]
    public async Task With_a_certificate_the_key_ring_is_stored_encrypted_and_only_its_holders_read_it()
    {
        var folder = Directory.CreateTempSubdirectory("bridge-keyring-").FullName;
        try
        {
            var certificate = CreateCertificate(folder, "current");
            await using var a = new EncryptingNode(certificate);
            a.Settings["Bridge:KeyRing:CertificatePassword"] = CertificatePassword;
            _ = a.CreateApiClient();
            var protectedByA = a.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");

            // The key material is stored as XML encryption to the certificate, never as the plain master key.
            var stored = await StoredKeyRingAsync(a);
            Assert.NotEmpty(stored);
            Assert.All(stored, xml =>
            {
                Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            });

            // A node with the certificate reads it, and with it the signing keys it protects: it publishes the
            // same keys and creates none of its own.
            var jwksOfA = await a.CreateApiClient().GetStringAsync("/.well-known/jwks.json");
            await using (var b = new SecondNode(a.ConnectionString, certificate))
            {
                Assert.Equal(jwksOfA, await b.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
                Assert.Equal("hello", b.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA));
            }

            // A node on the same database without the certificate (a copy of the database) cannot.
            await using (var c = new SecondNode(a.ConnectionString))
            {
                _ = c.CreateApiClient();
                Assert.ThrowsAny<CryptographicException>(() =>
                    c.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA));
            }

            // After a change of certificate the old one, kept as a previous certificate, still decrypts.
            var next = CreateCertificate(folder, "next");
            await using (var d = new SecondNode(a.ConnectionString, next, previous: certificate))
            {
                _ = d.CreateApiClient();
                Assert.Equal("hello", d.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task What_node_A_protects_node_B_can_read()
    {
        await using var a = new Node();
        _ = a.CreateApiClient();
        await using var b = new SecondNode(a.ConnectionString);
        _ = b.CreateApiClient();

        var protectedByA = a.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
        var readByB = b.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA);
        Assert.Equal("hello", readByB);

        // The key ring lives in the database, not in either node's fallback folder.
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<BridgeDbContext>>().CreateDbContextAsync();
        Assert.NotEmpty(await db.DataProtectionKeys.ToListAsync());
        Assert.False(Directory.Exists(a.FallbackFolder) && Directory.EnumerateFiles(a.FallbackFolder).Any());
        Assert.IsNotType<FileSystemXmlRepository>(b.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository);
    }
}
