using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace IdentityBridge.EndToEnd.Infrastructure;

/// <summary>
/// A real process of ours (bridge, simulator, sample app) on a loopback port, with its output captured
/// line by line. Started from the build output next to the tests (same configuration).
/// </summary>
public sealed class ProcessHost : IAsyncDisposable
{
    private readonly Process _process;

    public ConcurrentQueue<string> Output { get; } = new();
    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    private ProcessHost(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>Starts <paramref name="project"/> (e.g. "IdentityBridge") with <paramref name="environment"/> and waits for <paramref name="readyPath"/> to answer 200.</summary>
    public static async Task<ProcessHost> StartAsync(string project, IDictionary<string, string?> environment, string readyPath = "/healthz", int? port = null, string[]? args = null)
    {
        var chosen = port ?? FreePort();
        var dll = Paths.ProjectOutput(project);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{chosen}");
        foreach (var a in args ?? []) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {project}");
        var host = new ProcessHost(process, chosen);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) host.Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host.Output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitReadyAsync(readyPath, TimeSpan.FromSeconds(60));
        return host;
    }

    private async Task WaitReadyAsync(string path, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // HasExited can be true before the last lines have been read from the pipes; waiting for
                // the exit also waits for the end of the redirected output, which holds the reason.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"process exited with {_process.ExitCode}:\n{string.Join('\n', Output)}");
            }
            try
            {
                if ((await http.GetAsync(BaseUrl + path)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{BaseUrl}{path} did not answer 200 within {timeout}:\n{string.Join('\n', Output)}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

public static class Paths
{
    /// <summary>The repository root (the folder holding IdentityBridge.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The built dll of a project, in the same configuration as the tests.</summary>
    public static string ProjectOutput(string project)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var folder = project == "EnterpriseApp" ? Path.Combine(Root, "samples", project) : Path.Combine(Root, "src", project);
        var dll = Path.Combine(folder, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"build {project} first ({configuration})", dll);
        return dll;
    }

    /// <summary>Where tests put screenshots and other artifacts: artifacts/ at the repository root.</summary>
    public static string Artifacts(string sub)
    {
        var path = Path.Combine(Root, "artifacts", sub);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IdentityBridge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("IdentityBridge.sln not found above the test output");
    }
}
