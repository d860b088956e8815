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
        var targets = Directory.EnumerateFiles(folder, "target-*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<TargetResult>(File.ReadAllText(f), Json.Options)!)
            .ToList();
        var validationFile = Path.Combine(folder, "validate.json");
        var validation = File.Exists(validationFile) ? JsonSerializer.Deserialize<ValidationResult>(File.ReadAllText(validationFile), Json.Options) : null;
        return new RawResults(targets, validation,
            OpensslSpeed.Read(Path.Combine(folder, "openssl-single.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-multi.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-single-after.txt")),
            OpensslSpeed.Read(Path.Combine(folder, "openssl-multi-after.txt")));
    }

    public TargetResult? Peer => Targets.FirstOrDefault(t => t.Target.StartsWith("peer", StringComparison.Ordinal));

    public IEnumerable<TargetResult> Bridges => Targets.Where(t => t.Target.StartsWith("bridge", StringComparison.Ordinal));
}
