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

    private sealed class SecondNode(string connectionString) : Node
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            Settings["Bridge:Database:ConnectionString"] = connectionString;
            base.ConfigureWebHost(builder);
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
