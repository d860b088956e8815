using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IdentityBridge.EndToEnd.Admin;

/// <summary>
/// The bridge as a real process on a loopback port, on a fresh SQLite file, with the in-process Xumm
/// simulator approving every sign-in as one wallet that is also a bootstrap admin.
/// </summary>
public sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _dataFolder;

    private BridgeProcess(Process process, string baseUrl, string dataFolder)
    {
        _process = process;
        BaseUrl = baseUrl;
        _dataFolder = dataFolder;
    }

    public string BaseUrl { get; }

    /// <summary>Everything the process wrote so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public static async Task<BridgeProcess> StartAsync(string adminWallet, IReadOnlyDictionary<string, string>? extra = null)
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var dataFolder = Path.Combine(Path.GetTempPath(), "identitybridge-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataFolder);
        var dll = FindBridgeDll();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl);
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["Bridge__Issuer"] = baseUrl;
        env["Bridge__DataPath"] = dataFolder;
        env["Bridge__Database__Provider"] = "Sqlite";
        env["Bridge__Database__ConnectionString"] = $"Data Source={Path.Combine(dataFolder, "bridge.db")};Pooling=True";
        env["Bridge__Admin__BootstrapWallets__0"] = adminWallet;
        env["Bridge__RateLimits__Enabled"] = "false";
        env["Xumm__Simulator__Enabled"] = "true";
        env["Xumm__Simulator__AutoApprove"] = adminWallet;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) env[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var bridge = new BridgeProcess(process, baseUrl, dataFolder);
        process.OutputDataReceived += (_, e) => bridge.Append(e.Data);
        process.ErrorDataReceived += (_, e) => bridge.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await bridge.WaitUntilReadyAsync();
        return bridge;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // for the rest of its output (see ProcessHost)
                throw new InvalidOperationException($"The bridge exited with code {_process.ExitCode} before it was ready:\n{Log}");
            }
            try
            {
                var response = await http.GetAsync(BaseUrl + "/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first answer.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The bridge did not answer /healthz at {BaseUrl} within 90 s:\n{Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>src/IdentityBridge/bin/&lt;configuration&gt;/net10.0/IdentityBridge.dll, found from the test's output folder.</summary>
    private static string FindBridgeDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Debug";
        for (var dir = output; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "IdentityBridge.sln"))) continue;
            var dll = Path.Combine(dir.FullName, "src", "IdentityBridge", "bin", configuration, framework, "IdentityBridge.dll");
            if (File.Exists(dll)) return dll;
            throw new FileNotFoundException($"Build the bridge first: {dll} is missing.");
        }
        throw new DirectoryNotFoundException("IdentityBridge.sln not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // The database file may still be held for a moment; the temp folder is cleaned by the system.
        }
    }
}
