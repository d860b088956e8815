using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

namespace IdentityBridge.Tests.Foundation;

/// <summary>Two nodes on one database share the data protection key ring.</summary>
public sealed class DataProtectionTests
{
    private sealed class SecondNode(string connectionString) : BridgeFactory
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
        await using var a = new BridgeFactory();
        _ = a.CreateApiClient();
        await using var b = new SecondNode(a.ConnectionString);
        _ = b.CreateApiClient();

        var protectedByA = a.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
        var readByB = b.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA);
        Assert.Equal("hello", readByB);
    }
}
