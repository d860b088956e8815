using System.Globalization;
using System.Text;

namespace LoadDriver.Reporting;

/// <summary>Turns the raw results into bench/results/latest.md and the chart's data file.</summary>
public sealed class ReportWriter(RawResults raw, ReportContext context)
{
    private const double CcLimitTarget = 0.6;
    private const double CcPeerTarget = 1.5;
    private const double RefreshTarget = 1000;
    private const double HalfLoadP99Target = 25;
    private const long RssTargetKb = 250 * 1024;
    private const double ColdStartTargetMs = 2000;
    private const double ValidationTarget = 0.7;

    private readonly IReadOnlyList<TargetResult> _targets = raw.Targets.OrderBy(Rank).ThenBy(t => t.Target, StringComparer.Ordinal).ToList();

    /// <summary>RSA-2048 signatures per second on every core the server may use (openssl speed -multi).</summary>
    private double? SignAllCores => raw.AllCores?.RsaSign;

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {context.When:yyyy-MM-dd HH:mm} UTC, {context.Settings}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {context.Machine}. Load average (1 min) during the phases: {LoadRange()}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Bridge: {context.Bridge}. Peer: {context.Peer}.");
        md.AppendLine("The load driver (`bench/LoadDriver`) runs on the same machine and competes with the server for its cores; its own CPU use is in the raw files. " +
                      "The servers are started once; scenario by scenario they take turns (the others paused meanwhile), in an order that rotates from one scenario to the next, so each comparison comes from the same minutes of the run.");
        md.AppendLine();

        Limits(md);
        Throughput(md);
        Servers(md);
        Validation(md);
        Targets(md);
        TimeSpent(md);
        return md.ToString();
    }

    /// <summary>One line per scenario, one column per server: the maximum throughput (chart data for gnuplot).</summary>
    public string ChartData()
    {
        var data = new StringBuilder();
        data.Append("scenario");
        foreach (var target in _targets) data.Append(' ').Append(target.Target);
        data.AppendLine();
        foreach (var name in RunCommand.AllScenarios)
        {
            data.Append(name);
            foreach (var target in _targets)
                data.Append(' ').Append((Find(target, name)?.Max.OpsPerSecond ?? 0).ToString("0.0", CultureInfo.InvariantCulture));
            data.AppendLine();
        }
        return data.ToString();
    }

    private void Limits(StringBuilder md)
    {
        md.AppendLine("## The physical limit").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`openssl speed` on this machine, operations per second. One process is timed by its CPU time (openssl's default): the cost of the operation on a core of its own. `-multi {context.Cores}` ({context.Cores} cores: what the bridge may use) is timed by the wall clock, so like the servers' numbers it shows what the machine gave at that moment; on an idle machine it is close to {context.Cores} × the first column.").AppendLine();
        var table = new MarkdownTable("operation", "1 core (CPU time)", $"{context.Cores} cores (-multi, wall clock)", $"{context.Cores} × 1 core");
        if (raw.SingleCore is { } one && raw.AllCores is { } all)
        {
            table.Row("RSA-2048 sign", Format.Rate(one.RsaSign), Format.Rate(all.RsaSign), Format.Rate(one.RsaSign * context.Cores));
            table.Row("RSA-2048 verify", Format.Rate(one.RsaVerify), Format.Rate(all.RsaVerify), Format.Rate(one.RsaVerify * context.Cores));
            table.Row("ECDSA P-256 sign", Format.Rate(one.EcdsaSign), Format.Rate(all.EcdsaSign), Format.Rate(one.EcdsaSign * context.Cores));
            table.Row("ECDSA P-256 verify", Format.Rate(one.EcdsaVerify), Format.Rate(all.EcdsaVerify), Format.Rate(one.EcdsaVerify * context.Cores));
            if (raw.SingleCoreAfter is { } oneAfter && raw.AllCoresAfter is { } allAfter)
                table.Row("RSA-2048 sign, again after the servers ran", Format.Rate(oneAfter.RsaSign), Format.Rate(allAfter.RsaSign), Format.Rate(oneAfter.RsaSign * context.Cores));
        }
        else table.Row("(openssl speed output missing)", "", "", "");
        table.WriteTo(md);
        if (raw.SingleCore is { } first && raw.SingleCoreAfter is { } again)
        {
            var change = (int)Math.Round((again.RsaSign / first.RsaSign - 1) * 100);
            md.AppendLine(CultureInfo.InvariantCulture, $"openssl signed {Format.Rate(again.RsaSign)} times per CPU second after the servers ran and {Format.Rate(first.RsaSign)} before them: the machine's speed changed by {(change > 0 ? "+" : "")}{change} % over the run. The ratios below use the first measurement.").AppendLine();
        }
    }

    private void Throughput(StringBuilder md)
    {
        md.AppendLine("## Throughput and latency").AppendLine();
        md.AppendLine("Maximum throughput from the closed loop (every worker sends its next request when the previous one answered); " +
                      "p50/p99 are from that loop, so they include queueing at saturation. \"p99 at ½ max\" is from an open loop at half " +
                      "that throughput (requests on a fixed schedule, latency counted from the scheduled start); \"late\" is the p99 of how long after " +
                      "its scheduled time the driver actually sent a request (its timers firing late on the shared cores, or the worker still busy), " +
                      "a part of that latency that does not come from the server. An operation of " +
                      "`authorization_code` is authorize with a session cookie plus the code redemption (2 requests). " +
                      "\"Signing vs limit\" is RSA signatures made per second (operations × signatures per operation) over " +
                      $"RSA-2048 sign/s on {context.Cores} cores.").AppendLine();
        var table = new MarkdownTable("scenario", "server", "ops/s", "p50 ms", "p99 ms", "errors", "p99 at ½ max, ms", "server CPU ms/op", "bridge ÷ peer", "signing vs limit");
        foreach (var name in RunCommand.AllScenarios)
        {
            var first = true;
            foreach (var target in _targets)
            {
                if (Find(target, name) is not { } s) continue;
                var max = s.Max;
                var half = s.Half is { } h
                    ? $"{Format.Ms(h.P99Ms)} (at {Format.Rate(h.OpsPerSecond)}/s{(h.OpsPerSecond < 0.9 * h.TargetRate ? $" of {Format.Rate(h.TargetRate)}/s asked: fell behind" : "")}{(h.StartLateP99Ms is { } late ? $"; late {Format.Ms(late)}" : "")})"
                    : "n/a";
                var cpu = CpuPerOp(max) is { } c ? Format.Ms(c) + (DbPerOp(max) is { } d ? $" + {Format.Ms(d)} db" : "") : "n/a";
                var vsPeer = IsBridge(target) && raw.Peer is { } peer && Find(peer, name) is { Max.OpsPerSecond: > 0 } p
                    ? Format.Ratio(max.OpsPerSecond / p.Max.OpsPerSecond) : "";
                var vsLimit = s.SignaturesPerOperation > 0 && SignAllCores is { } limit
                    ? $"{Format.Percent(max.OpsPerSecond * s.SignaturesPerOperation / limit)} ({s.SignaturesPerOperation} sig/op)" : "";
                table.Row(first ? $"`{name}`" : "", target.Target, Format.Rate(max.OpsPerSecond), Format.Ms(max.P50Ms), Format.Ms(max.P99Ms),
                    Errors(s).ToString(CultureInfo.InvariantCulture), half, cpu, vsPeer, vsLimit);
                first = false;
            }
        }
        table.WriteTo(md);
        var errorKinds = _targets.SelectMany(t => t.Scenarios.SelectMany(s => new[] { s.Max, s.Half }.OfType<PhaseResult>()
            .SelectMany(p => p.ErrorKinds.Select(e => $"{t.Target} `{s.Name}` ({p.Mode}): {e.Key} × {e.Value}")))).ToList();
        if (errorKinds.Count > 0)
        {
            md.AppendLine("Errors by kind:").AppendLine();
            foreach (var line in errorKinds) md.AppendLine("- " + line);
            md.AppendLine();
        }
    }

    private void Servers(StringBuilder md)
    {
        md.AppendLine("## Memory and start-up").AppendLine();
        md.AppendLine("Peak resident set (VmHWM of the server process after every scenario ran). Start-up: from launching the process " +
                      "(Release build; the bridge as deployed, in the Production environment) to the first 200 answer of the discovery document; first with an empty database (migrations " +
                      "and signing-key creation included), then a restart on that database, with the servers started before it paused. Each start is timed in " +
                      "several rounds (each with a new empty store): the table shows the median and, after it, the fastest and slowest round. In parentheses, the " +
                      "median CPU time the process used until then, which a busy machine does not stretch.").AppendLine();
        var table = new MarkdownTable("server", "what", "peak RSS", "start, empty database", "restart");
        foreach (var target in _targets)
            table.Row(target.Target, target.Description, Format.Mb(target.PeakRssKb),
                StartUp(target.ColdStartMs, target.ColdStartCpuMs, target.ColdStartSamplesMs),
                StartUp(target.RestartMs, target.RestartCpuMs, target.RestartSamplesMs));
        table.WriteTo(md);
    }

    private static string StartUp(double? medianMs, double? cpuMs, IReadOnlyList<double> samples) =>
        $"{Format.Seconds(medianMs)} ({Format.Seconds(cpuMs)} CPU)" +
        (samples.Count > 1 ? $"; {Format.Seconds(samples.Min())} to {Format.Seconds(samples.Max())} in {samples.Count} rounds" : "");

    private void Validation(StringBuilder md)
    {
        md.AppendLine("## Upstream token validation").AppendLine();
        if (raw.Validation is not { } v || raw.SingleCore is not { } one)
        {
            md.AppendLine("(not measured)").AppendLine();
            return;
        }
        md.Append(CultureInfo.InvariantCulture, $"Xumm-style RS256 ID tokens (no `kid`, the platform's claim set, {v.Tokens} distinct tokens) validated in process by the {v.Validator}. ");
        md.AppendLine("`openssl speed` divides by CPU time, so the comparison uses validations per CPU second of the process; the wall-clock rate is shown as well.").AppendLine();
        var table = new MarkdownTable("threads", "validations/s (wall clock)", "validations per CPU second", "openssl RSA-2048 verify/s per core", "ratio");
        foreach (var phase in v.Phases)
        {
            var ratio = phase.PerCpuSecond / one.RsaVerify;
            table.Row(phase.Threads.ToString(CultureInfo.InvariantCulture), Format.Rate(phase.PerSecond), Format.Rate(phase.PerCpuSecond), Format.Rate(one.RsaVerify), Format.Ratio(ratio));
        }
        if (raw.AllCores is { } all)
            foreach (var phase in v.Phases.Where(p => p.Threads > 1 && p.Threads == context.Cores))
                table.Row($"{phase.Threads}, by the wall clock against `openssl speed -multi {context.Cores}` per core", Format.Rate(phase.PerSecond / phase.Threads), "",
                    Format.Rate(all.RsaVerify / context.Cores), Format.Ratio(phase.PerSecond / all.RsaVerify));
        if (v.RsaVerifyBaseline is { } baseline)
            table.Row("1, RSA.VerifyData alone (.NET over OpenSSL, no JWT)", Format.Rate(baseline.PerSecond), Format.Rate(baseline.PerCpuSecond), Format.Rate(one.RsaVerify), Format.Ratio(baseline.PerCpuSecond / one.RsaVerify));
        table.WriteTo(md);
        md.Append("The last line is .NET's own signature check on the same tokens' bytes, without any JWT work; it sets up a new OpenSSL context for every call. " +
            "The validator checks RS256 signatures through libcrypto directly with contexts kept per key (`OpenSslRsaVerifier`), so it can run faster than that line. " +
            "The line runs in quarter-second slices alternating with the one-thread validator, so the two rates come from the same moments.");
        if (v.RsaVerifyBaseline is { } bare && v.Phases.FirstOrDefault(p => p.Threads == 1) is { } single && bare.PerCpuSecond > 0)
            md.Append(CultureInfo.InvariantCulture, $" The whole validation (JWT parsing, signature, the claim rules; the claims identity is built only when a sign-in event asks for it) runs at {Format.Ratio(single.PerCpuSecond / bare.PerCpuSecond)} of .NET's bare signature check.");
        if (raw.AllCores is { } cores && cores.RsaVerify > 0 && v.Phases.Any(p => p.Threads == context.Cores && p.Threads > 1))
        {
            var perCore = cores.RsaVerify / context.Cores;
            var comparison = perCore < one.RsaVerify ? "With every core busy, a core of this machine did less than alone" : "With every core busy, a core of this machine did as much as alone";
            md.Append(CultureInfo.InvariantCulture, $" {comparison} (openssl verified {Format.Rate(perCore)}/s per core with -multi {context.Cores}, {Format.Rate(one.RsaVerify)}/s alone); the line \"by the wall clock\" compares the validator on {context.Cores} threads with openssl on {context.Cores} cores at once.");
        }
        md.AppendLine().AppendLine();
    }

    private void Targets(StringBuilder md)
    {
        md.AppendLine("## Targets").AppendLine();
        var table = new MarkdownTable("target", "server", "measured", "met");
        foreach (var bridge in raw.Bridges.OrderBy(Rank))
        {
            var errors = bridge.Scenarios.Sum(Errors);
            table.Row("zero errors", bridge.Target, errors.ToString(CultureInfo.InvariantCulture), Format.Met(errors == 0));
        }
        foreach (var bridge in raw.Bridges.OrderBy(Rank))
        {
            if (Find(bridge, "client_credentials") is not { } cc) continue;
            if (SignAllCores is { } limit)
            {
                table.Row($"client_credentials ≥ {CcLimitTarget} × RSA-2048 sign/s on {context.Cores} cores", bridge.Target,
                    $"{Format.Rate(cc.Max.OpsPerSecond)}/s = {Format.Ratio(cc.Max.OpsPerSecond / limit)} of {Format.Rate(limit)}/s", Format.Met(cc.Max.OpsPerSecond >= CcLimitTarget * limit));
                if (CpuPerOp(cc.Max) is { } cpu && raw.SingleCore is { } single)
                {
                    // What the server would issue with every core to itself: its CPU cost per token against openssl's per core.
                    var projected = context.Cores * 1000 / cpu;
                    table.Row("  the same per CPU second (server CPU per token vs openssl sign cost per core)", bridge.Target,
                        $"{Format.Rate(projected)}/s on {context.Cores} free cores = {Format.Ratio(projected / (single.RsaSign * context.Cores))}", Format.Met(projected >= CcLimitTarget * single.RsaSign * context.Cores));
                }
            }
            if (raw.Peer is { } peer && Find(peer, "client_credentials") is { Max.OpsPerSecond: > 0 } p)
                table.Row($"client_credentials ≥ {CcPeerTarget} × peer", bridge.Target,
                    $"{Format.Ratio(cc.Max.OpsPerSecond / p.Max.OpsPerSecond)} ({Format.Rate(cc.Max.OpsPerSecond)} vs {Format.Rate(p.Max.OpsPerSecond)}/s)", Format.Met(cc.Max.OpsPerSecond >= CcPeerTarget * p.Max.OpsPerSecond));
        }
        if (_targets.FirstOrDefault(t => t.Target.Contains("postgres", StringComparison.Ordinal)) is { } pg && Find(pg, "refresh_token") is { } refresh)
        {
            var ceiling = raw.SingleCore is { } single
                ? $" (ceiling of {refresh.SignaturesPerOperation} RSA-2048 signatures per refresh on {context.Cores} cores: {Format.Rate(single.RsaSign * context.Cores / refresh.SignaturesPerOperation)}/s)"
                : "";
            table.Row($"refresh_token on PostgreSQL ≥ {RefreshTarget:0}/s", pg.Target, $"{Format.Rate(refresh.Max.OpsPerSecond)}/s{ceiling}", Format.Met(refresh.Max.OpsPerSecond >= RefreshTarget));
            if (raw.Peer is { } peer && Find(peer, "refresh_token") is { Max.OpsPerSecond: > 0 } p)
                table.Row("refresh_token on PostgreSQL ahead of the peer", pg.Target,
                    $"{Format.Ratio(refresh.Max.OpsPerSecond / p.Max.OpsPerSecond)} ({Format.Rate(refresh.Max.OpsPerSecond)} vs {Format.Rate(p.Max.OpsPerSecond)}/s)", Format.Met(refresh.Max.OpsPerSecond > p.Max.OpsPerSecond));
        }
        foreach (var bridge in raw.Bridges.OrderBy(Rank))
        {
            var worst = bridge.Scenarios.Where(s => s.Half is not null).OrderByDescending(s => s.Half!.P99Ms).FirstOrDefault();
            if (worst is not null)
                table.Row($"p99 < {HalfLoadP99Target:0} ms at half the maximum throughput (worst scenario)", bridge.Target,
                    $"{Format.Ms(worst.Half!.P99Ms)} ms (`{worst.Name}`)", Format.Met(worst.Half.P99Ms < HalfLoadP99Target));
        }
        foreach (var bridge in raw.Bridges.OrderBy(Rank))
        {
            table.Row($"peak RSS < {RssTargetKb / 1024} MB", bridge.Target, Format.Mb(bridge.PeakRssKb), Format.Met(bridge.PeakRssKb is { } k && k < RssTargetKb));
            table.Row($"start-up < {ColdStartTargetMs / 1000:0} s, empty database (median)", bridge.Target, Format.Seconds(bridge.ColdStartMs), Format.Met(bridge.ColdStartMs is { } c && c < ColdStartTargetMs));
            table.Row($"start-up < {ColdStartTargetMs / 1000:0} s, restart (median)", bridge.Target, Format.Seconds(bridge.RestartMs), Format.Met(bridge.RestartMs is { } r && r < ColdStartTargetMs));
        }
        if (raw.Validation is { } v && raw.SingleCore is { } one)
        {
            foreach (var phase in v.Phases)
            {
                var ratio = phase.PerCpuSecond / one.RsaVerify;
                table.Row($"upstream RS256 validation ≥ {ValidationTarget} × RSA-2048 verify/s per core ({phase.Threads} thread{(phase.Threads == 1 ? "" : "s")})", "in process",
                    Format.Ratio(ratio), Format.Met(ratio >= ValidationTarget));
                if (phase.Threads > 1 && phase.Threads == context.Cores && raw.AllCores is { } all && all.RsaVerify > 0)
                {
                    var wall = phase.PerSecond / all.RsaVerify;
                    table.Row($"  the same by the wall clock, against openssl verifying on {context.Cores} cores at once", "in process", Format.Ratio(wall), Format.Met(wall >= ValidationTarget));
                }
            }
        }
        table.WriteTo(md);
    }

    private void TimeSpent(StringBuilder md)
    {
        if (raw.SingleCore is not { } one) return;
        md.AppendLine("## Where the server's CPU goes").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Server CPU per operation at maximum throughput (user + system time of the server process; for PostgreSQL, the database's own processes separately) against the cost of the RSA-2048 signatures in it ({Format.Ms(1000 / one.RsaSign)} ms each on one core, per openssl). CPU time is steadier than throughput on a shared machine.").AppendLine();
        var table = new MarkdownTable("scenario", "server", "server CPU ms/op", "of which RSA signing (openssl cost)", "database CPU ms/op");
        foreach (var name in RunCommand.AllScenarios)
        {
            foreach (var target in _targets)
            {
                if (Find(target, name) is not { SignaturesPerOperation: > 0 } s || CpuPerOp(s.Max) is not { } cpu) continue;
                var signing = s.SignaturesPerOperation * 1000 / one.RsaSign;
                table.Row($"`{name}`", target.Target, Format.Ms(cpu), $"{Format.Ms(signing)} ms = {Format.Percent(signing / cpu)}", DbPerOp(s.Max) is { } d ? Format.Ms(d) : "");
            }
        }
        table.WriteTo(md);
    }

    private string LoadRange()
    {
        var loads = _targets.SelectMany(t => t.Scenarios.SelectMany(s => new[] { s.Max, s.Half }.OfType<PhaseResult>()))
            .Select(p => double.TryParse(p.LoadAverage.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : double.NaN)
            .Where(l => !double.IsNaN(l)).ToList();
        return loads.Count == 0 ? "n/a" : $"{loads.Min():0.0} to {loads.Max():0.0}";
    }

    private static double? CpuPerOp(PhaseResult phase) => phase.ServerCpuSeconds is { } s && phase.Ok > 0 ? s * 1000 / phase.Ok : null;

    private static double? DbPerOp(PhaseResult phase) => phase.DatabaseCpuSeconds is { } s && phase.Ok > 0 ? s * 1000 / phase.Ok : null;

    private static long Errors(ScenarioResult s) => s.Max.Errors + (s.Half?.Errors ?? 0) + s.SetupErrors;

    private static ScenarioResult? Find(TargetResult target, string name) => target.Scenarios.FirstOrDefault(s => s.Name == name);

    private static bool IsBridge(TargetResult target) => target.Target.StartsWith("bridge", StringComparison.Ordinal);

    private static int Rank(TargetResult target) => target.Target switch
    {
        var t when t.Contains("sqlite", StringComparison.Ordinal) => 0,
        var t when t.Contains("postgres", StringComparison.Ordinal) => 1,
        var t when t.StartsWith("peer", StringComparison.Ordinal) => 2,
        _ => 3,
    };
}

/// <summary>What the report says about the run itself.</summary>
public sealed record ReportContext(DateTimeOffset When, string Settings, string Machine, string Bridge, string Peer, int Cores);
