using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
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

    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root(), "docker-compose.yml"))) yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    /// <summary>Services built from this repository (our image), with their environment.</summary>
    private static IEnumerable<(string Service, YamlMappingNode Node, Dictionary<string, string> Environment)> BridgeServices()
    {
        foreach (var (name, node) in Services().Children)
        {
            var service = (YamlMappingNode)node;
            if (!service.Children.TryGetValue("build", out _)) continue; // our image only
            var environment = service.Children.TryGetValue("environment", out var env)
                ? ((YamlMappingNode)env).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "")
                : [];
            yield return (((YamlScalarNode)name).Value!, service, environment);
        }
    }

    private static IEnumerable<(string Service, string Key)> BridgeEnvironment() =>
        BridgeServices().SelectMany(s => s.Environment.Keys.Select(k => (s.Service, k)));

    [Fact]
    public void Simulator_profile_issuer_listening_port_and_published_port_agree()
    {
        // The in-process simulator's URLs derive from the issuer and the bridge calls them from inside the
        // container: the issuer's port must be the port the container listens on and publishes.
        var (service, node, env) = BridgeServices().Single(s => s.Environment.GetValueOrDefault("Xumm__Simulator__Enabled") == "true");
        var issuer = new Uri(env["Bridge__Issuer"]);
        var listening = new Uri(env["ASPNETCORE_URLS"].Split(';')[0].Replace("+", "localhost", StringComparison.Ordinal));
        var ports = ((YamlSequenceNode)node["ports"]).Children.Select(p => ((YamlScalarNode)p).Value!.Split(':')).ToList();
        Assert.Equal(issuer.Port, listening.Port);
        Assert.Contains(ports, p => p.Length == 2 && p[0] == issuer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) && p[1] == p[0]);
        Assert.True(issuer.IsLoopback, $"{service}: the simulator profile is for a local trial");
    }

    [Fact]
    public void Every_variable_without_a_default_is_listed_in_the_header()
    {
        var text = File.ReadAllText(Path.Combine(Root(), "docker-compose.yml"));
        var header = string.Concat(text.Split('\n').TakeWhile(l => l.StartsWith('#')));
        var variables = Regex.Matches(text, @"\$\{(?<name>[A-Z0-9_]+)(?<rest>[^}]*)\}").Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.NotEmpty(variables);
        foreach (var variable in variables)
            Assert.Contains(variable, header, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerignore_keeps_build_output_local_data_and_git_out_of_the_context()
    {
        var path = Path.Combine(Root(), ".dockerignore");
        Assert.True(File.Exists(path), ".dockerignore is missing");
        var patterns = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var needed in new[] { "bin", "obj", "App_Data", "*.db", "artifacts", "node_modules", ".git" })
            Assert.Contains(patterns, p => p.TrimStart('*', '/').TrimEnd('/') == needed || p == "**/" + needed + "/" || p == "**/" + needed);
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
        Assert.Contains("--self-contained true", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"./IdentityBridge\"]", dockerfile, StringComparison.Ordinal);
        Assert.Contains("CMD [\"./IdentityBridge\", \"healthcheck\"]", dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("System.GC.Server", false)] // the workstation collector
    [InlineData("Microsoft.Extensions.DependencyInjection.DisableDynamicEngine", true)] // services resolved without emitted code
    public void Server_is_built_with_its_runtime_switches(string property, bool expected)
    {
        // The build's choices land in the runtime configuration next to the server's assembly; a misspelt
        // MSBuild property or switch would be ignored silently (for the collector: the Web SDK's default,
        // the server collector, would stay in place).
        var path = Path.Combine(AppContext.BaseDirectory, "IdentityBridge.runtimeconfig.json");
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(expected, properties.GetProperty(property).GetBoolean());
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
