using System.Text.RegularExpressions;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace IdentityBridge.Tests.Foundation;

/// <summary>The README's Endpoints section lists only paths the bridge maps, and lists every protocol endpoint it maps.</summary>
public sealed partial class ReadmeEndpointsTests
{
    [Fact]
    public async Task Every_path_of_the_endpoints_section_is_mapped_and_every_connect_endpoint_is_listed()
    {
        await using var host = new BridgeFactory();
        _ = host.Services; // starts the host, so the route table is built
        var patterns = host.Services.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!).Where(p => p is not null).Distinct().ToList();

        var listed = ListedPaths();
        Assert.NotEmpty(listed);
        foreach (var path in listed)
            Assert.True(patterns.Any(p => Matches(p, path)), $"README lists {path}, which the bridge does not map.");

        foreach (var mapped in patterns.Where(p => p.StartsWith("/connect/", StringComparison.Ordinal) || p.StartsWith("/.well-known/", StringComparison.Ordinal)))
            Assert.Contains(mapped, listed);
    }

    /// <summary>The paths in the first column of the Endpoints table, placeholders filled in and queries dropped.</summary>
    private static List<string> ListedPaths()
    {
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        var start = readme.IndexOf("\n## Endpoints", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Endpoints section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..end];
        var paths = new List<string>();
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cell = line[2..line.IndexOf(" | ", 2, StringComparison.Ordinal)];
            foreach (Match m in CodeSpan().Matches(cell))
            {
                var text = m.Groups[1].Value;
                var path = text[(text.IndexOf('/', StringComparison.Ordinal))..];
                path = path.Split('?')[0].Replace("/...", "/clients", StringComparison.Ordinal);
                paths.Add(path);
            }
        }
        return paths;
    }

    private static bool Matches(string pattern, string path)
    {
        if (string.Equals(pattern.TrimEnd('/'), path.TrimEnd('/'), StringComparison.Ordinal)) return true;
        if (path.Contains('{', StringComparison.Ordinal) || !pattern.Contains('{', StringComparison.Ordinal)) return false;
        var matcher = new TemplateMatcher(TemplateParser.Parse(pattern.Trim('/')), new RouteValueDictionary());
        return matcher.TryMatch(path, new RouteValueDictionary());
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IdentityBridge.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();
}
