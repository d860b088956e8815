using System.Text.Json;

namespace LoadDriver.Reporting;

/// <summary>
/// What a run left in the raw folder: one file per server, the validation benchmark and openssl's numbers,
/// measured before the servers and again after them (the machine's speed drifts between the two).
/// </summary>
public sealed record RawResults(
    IReadOnlyList<TargetResult> Targets,
    ValidationResult? Validation,
    OpensslSpeed? SingleCore,
    OpensslSpeed? AllCores,
    OpensslSpeed? SingleCoreAfter = null,
    OpensslSpeed? AllCoresAfter = null)
{
    public static RawResults Load(string folder)
    {
        // One file per server and scenario (the servers take turns scenario by scenario), or one per server.
        var targets = Directory.EnumerateFiles(folder, "target-*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<TargetResult>(File.ReadAllText(f), Json.Options)!)
            .GroupBy(t => t.Target, StringComparer.Ordinal)
            .Select(Merge)
            .ToList();
        var validationFile = Path.Combine(folder, "validate.json");
        var validation = File.Exists(validationFile) ? JsonSerializer.Deserialize<ValidationResult>(File.ReadAllText(validationFile), Json.Options) : null;
        return new RawResults(targets, validation,
            OpensslSpeed.Read(Path.Combine(folder, "openssl-single.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-multi.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-single-after.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-multi-after.txt")));
    }

    /// <summary>
    /// One server's parts as a whole: its scenarios in the usual order, the highest peak memory (the last
    /// part's, as the peak only grows), the start-up times of whichever part carries them.
    /// </summary>
    private static TargetResult Merge(IEnumerable<TargetResult> parts)
    {
        var list = parts.OrderBy(p => p.StartedAt).ToList();
        var first = list[0];
        var scenarios = list.SelectMany(p => p.Scenarios)
            .OrderBy(s => Array.IndexOf(RunCommand.AllScenarios, s.Name) is var i and >= 0 ? i : int.MaxValue)
            .ToList();
        return first with
        {
            ColdStartMs = list.Select(p => p.ColdStartMs).FirstOrDefault(v => v is not null),
            RestartMs = list.Select(p => p.RestartMs).FirstOrDefault(v => v is not null),
            ColdStartCpuMs = list.Select(p => p.ColdStartCpuMs).FirstOrDefault(v => v is not null),
            RestartCpuMs = list.Select(p => p.RestartCpuMs).FirstOrDefault(v => v is not null),
            ColdStartSamplesMs = list.Select(p => p.ColdStartSamplesMs).FirstOrDefault(v => v.Count > 0) ?? [],
            RestartSamplesMs = list.Select(p => p.RestartSamplesMs).FirstOrDefault(v => v.Count > 0) ?? [],
            PeakRssKb = list.Max(p => p.PeakRssKb),
            FinalRssKb = list[^1].FinalRssKb,
            Scenarios = scenarios,
        };
    }

    public TargetResult? Peer => Targets.FirstOrDefault(t => t.Target.StartsWith("peer", StringComparison.Ordinal));

    public IEnumerable<TargetResult> Bridges => Targets.Where(t => t.Target.StartsWith("bridge", StringComparison.Ordinal));
}
