using System.Globalization;
using System.Text.Json;
using LoadDriver.Scenarios;

namespace LoadDriver;

/// <summary>
/// <c>run</c>: every scenario against one server. Each scenario prepares its slots (logins, chains), runs a
/// closed loop to find the maximum throughput, then an open loop at half of it for the latency a server
/// has with headroom. Writes one JSON file and prints a line per phase.
/// </summary>
public static class RunCommand
{
    public static readonly string[] AllScenarios = ["client_credentials", "refresh_token", "authorization_code", "userinfo", "jwks", "discovery"];

    public static async Task<int> ExecuteAsync(Arguments args)
    {
        var target = args.Require("target");
        var issuer = args.Require("issuer");
        var output = args.Require("out");
        var workers = args.GetInt("workers", 32);
        var chainsPerWorker = args.GetInt("chains-per-worker", 2);
        var warmup = TimeSpan.FromSeconds(args.GetDouble("warmup", 2));
        var duration = TimeSpan.FromSeconds(args.GetDouble("duration", 10));
        var halfDuration = TimeSpan.FromSeconds(args.GetDouble("half-duration", 8));
        var fixedRate = args.GetDouble("rate", 0);
        int? serverPid = args.Get("pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : null;
        int? databasePid = args.Get("db-pid") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : null;
        var names = (args.Get("scenarios") ?? string.Join(',', AllScenarios)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        var ct = cts.Token;
        using var http = BenchContext.CreateHttpClient(TimeSpan.FromSeconds(args.GetDouble("timeout", 10)));
        var context = new BenchContext(http, await ProviderMetadata.LoadAsync(http, issuer, ct), BenchSettings.From(args));
        var runner = new LoadRunner(serverPid, databasePid);
        var started = DateTimeOffset.UtcNow;
        var results = new List<ScenarioResult>();

        foreach (var name in names)
        {
            var scenario = Create(context, name, chainsPerWorker);
            var (slots, setupErrors) = await PrepareAsync(scenario, workers, ct);
            Console.WriteLine($"[{target}] {scenario.Name}: {slots.Count} slots ready ({setupErrors} setup errors)");
            if (slots.Count == 0)
            {
                var empty = new PhaseRecorder(null, null);
                empty.Begin();
                empty.End();
                results.Add(new ScenarioResult(scenario.Name, scenario.Unit, scenario.RequestsPerOperation, scenario.SignaturesPerOperation, setupErrors, empty.Result("closed", 0, 0), null));
                continue;
            }

            PhaseResult max;
            PhaseResult? half = null;
            if (fixedRate > 0)
            {
                max = await runner.RunOpenAsync(scenario, slots, fixedRate, warmup, duration, ct);
                Print(target, scenario, max);
            }
            else
            {
                max = await runner.RunClosedAsync(scenario, slots, warmup, duration, ct);
                Print(target, scenario, max);
                if (halfDuration > TimeSpan.Zero && max.OpsPerSecond > 0)
                {
                    half = await runner.RunOpenAsync(scenario, slots, Math.Round(max.OpsPerSecond / 2, 1), TimeSpan.FromSeconds(1), halfDuration, ct);
                    Print(target, scenario, half);
                }
            }
            results.Add(new ScenarioResult(scenario.Name, scenario.Unit, scenario.RequestsPerOperation, scenario.SignaturesPerOperation, setupErrors, max, half));
        }

        var coldStarts = Samples(args.Get("cold-start-ms"));
        var restarts = Samples(args.Get("restart-ms"));
        var result = new TargetResult(target, args.Get("description", target), issuer, started,
            Median(coldStarts), Median(restarts),
            Median(Samples(args.Get("cold-start-cpu-ms"))), Median(Samples(args.Get("restart-cpu-ms"))),
            serverPid is { } s1 ? ProcessStats.StatusKb(s1, "VmHWM") : null,
            serverPid is { } s2 ? ProcessStats.StatusKb(s2, "VmRSS") : null,
            results)
        {
            ColdStartSamplesMs = coldStarts,
            RestartSamplesMs = restarts,
        };
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, Json.Options), ct);
        Console.WriteLine($"[{target}] peak RSS {result.PeakRssKb / 1024.0:0.0} MB; results in {output}");
        return results.Sum(x => x.Max.Errors + (x.Half?.Errors ?? 0) + x.SetupErrors) == 0 ? 0 : 1;
    }

    /// <summary>A comma-separated list of numbers (one start-up round each), as the script passes them.</summary>
    private static double[] Samples(string? list) => list is null
        ? []
        : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The middle sample (the mean of the two middle ones for an even count); null for none.</summary>
    internal static double? Median(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) return null;
        var sorted = samples.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static IScenario Create(BenchContext context, string name, int chainsPerWorker) => name switch
    {
        "client_credentials" => new ClientCredentialsScenario(context),
        "refresh_token" => new RefreshScenario(context, chainsPerWorker),
        "authorization_code" => new CodeRedemptionScenario(context),
        "userinfo" => new UserInfoScenario(context),
        "jwks" => new DocumentScenario(context, "jwks", context.Provider.Jwks),
        "discovery" => new DocumentScenario(context, "discovery", context.Provider.Discovery),
        _ => throw new ArgumentException($"Unknown scenario '{name}'. Known: {string.Join(", ", AllScenarios)}."),
    };

    /// <summary>
    /// Runs each slot's setup, a few at a time (logins are heavier than the load itself). The first slot
    /// goes alone: on an empty database the first login of the benchmark wallet creates its account, and
    /// the run measures steady state, not a burst of simultaneous first sign-ins.
    /// </summary>
    private static async Task<(List<WorkerSlot> Slots, int Errors)> PrepareAsync(IScenario scenario, int count, CancellationToken ct)
    {
        var ready = new List<WorkerSlot>();
        var errors = 0;

        async Task SetupOne(int index)
        {
            var slot = new WorkerSlot(index);
            Outcome outcome;
            try
            {
                outcome = await scenario.SetupAsync(slot, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                outcome = Outcome.Fail(ex.GetType().Name);
            }
            lock (ready)
            {
                if (outcome.Ok) ready.Add(slot);
                else if (++errors <= 3) Console.Error.WriteLine($"  setup of {scenario.Name} failed: {outcome.Error}");
            }
        }

        await SetupOne(0);
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(1, Math.Max(0, count - 1)).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                await SetupOne(i);
            }
            finally
            {
                gate.Release();
            }
        }));
        return (ready.OrderBy(s => s.Index).ToList(), errors);
    }

    private static void Print(string target, IScenario scenario, PhaseResult phase)
    {
        var cpu = phase.ServerCpuSeconds is { } s && phase.Ok > 0 ? $"  server CPU {s * 1000 / phase.Ok:0.00} ms/op" : "";
        var db = phase.DatabaseCpuSeconds is { } d && phase.Ok > 0 ? $" + db {d * 1000 / phase.Ok:0.00}" : "";
        var errors = phase.Errors == 0 ? "0" : $"{phase.Errors} ({string.Join("; ", phase.ErrorKinds.Take(3).Select(e => $"{e.Key} x{e.Value}"))})";
        var mode = phase.Mode == "open" ? $"open @{phase.TargetRate:0}/s" : $"closed x{phase.Workers}";
        var late = phase.StartLateP99Ms is { } l ? string.Create(CultureInfo.InvariantCulture, $" (driver late p99 {l:0.00})") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{target}] {scenario.Name,-18} {mode,-16} {phase.OpsPerSecond,9:0.0} {scenario.Unit}/s  p50 {phase.P50Ms,7:0.00} ms  p99 {phase.P99Ms,7:0.00} ms{late}  errors {errors}{cpu}{db}  load {phase.LoadAverage}"));
    }
}
