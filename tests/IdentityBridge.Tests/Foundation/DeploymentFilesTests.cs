using System.Collections;
using System.Reflection;
using IdentityBridge.Configuration;
using YamlDotNet.RepresentationModel;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// No container engine runs here, so docker-compose.yml is kept honest by reading it: every setting it
/// gives the bridge must be a configuration key the bridge binds.
/// </summary>
public sealed class DeploymentFilesTests
{
    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IdentityBridge.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    private static IEnumerable<(string Service, string Key)> BridgeEnvironment()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root(), "docker-compose.yml"))) yaml.Load(reader);
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        foreach (var (name, node) in services.Children)
        {
            var service = (YamlMappingNode)node;
            if (!service.Children.TryGetValue("build", out _)) continue; // our image only
            if (!service.Children.TryGetValue("environment", out var env)) continue;
            foreach (var key in ((YamlMappingNode)env).Children.Keys)
                yield return (((YamlScalarNode)name).Value!, ((YamlScalarNode)key).Value!);
        }
    }

    [Fact]
    public void Compose_sets_only_configuration_keys_the_bridge_knows()
    {
        var keys = BridgeEnvironment().ToList();
        Assert.Contains(keys, k => k.Key == "Bridge__Database__ConnectionString");
        foreach (var (service, key) in keys)
        {
            if (key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("DOTNET_", StringComparison.Ordinal)) continue;
            Assert.True(IsKnown(key), $"{service}: '{key}' is not a configuration key of the bridge");
        }
    }

    [Theory]
    [InlineData("Bridge__Issuer", true)]
    [InlineData("Bridge__Admin__BootstrapWallets__0", true)]
    [InlineData("Xumm__Simulator__Enabled", true)]
    [InlineData("Bridge__Isuer", false)]
    [InlineData("Xumm__ApiSecrets", false)]
    [InlineData("Other__Thing", false)]
    public void Key_check_tells_known_from_unknown(string key, bool known) => Assert.Equal(known, IsKnown(key));

    [Fact]
    public void Dockerfile_runs_as_non_root_and_publishes_release()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root(), "Dockerfile"));
        Assert.Contains("USER app", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/IdentityBridge/IdentityBridge.csproj -c Release", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"IdentityBridge.dll\"]", dockerfile, StringComparison.Ordinal);
    }

    /// <summary>Walks Section__Property__... through the options classes, the way the binder would.</summary>
    private static bool IsKnown(string key)
    {
        var parts = key.Split("__");
        Type? type = parts[0] switch
        {
            "Bridge" => typeof(BridgeOptions),
            "Xumm" => typeof(XummOptions),
            _ => null,
        };
        for (var i = 1; type is not null && i < parts.Length; i++)
        {
            if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
            {
                if (!int.TryParse(parts[i], out _)) return false;
                type = type.GetGenericArguments()[0];
                continue;
            }
            type = type.GetProperty(parts[i], BindingFlags.Public | BindingFlags.Instance)?.PropertyType;
        }
        return type is not null;
    }
}
