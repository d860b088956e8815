namespace LoadDriver;

/// <summary>One measured phase: closed loop at full speed, or open loop at a target rate.</summary>
public sealed record PhaseResult(
    string Mode,
    int Workers,
    double TargetRate,
    double Seconds,
    long Ok,
    long Errors,
    double OpsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    double MeanMs,
    double? ServerCpuSeconds,
    double? DatabaseCpuSeconds,
    double DriverCpuSeconds,
    string LoadAverage,
    double? StartLateP99Ms,
    IReadOnlyDictionary<string, long> ErrorKinds);

public sealed record ScenarioResult(
    string Name,
    string Unit,
    int RequestsPerOperation,
    int SignaturesPerOperation,
    int SetupErrors,
    PhaseResult Max,
    PhaseResult? Half);

/// <summary>Everything one <c>run</c> measured against one server.</summary>
public sealed record TargetResult(
    string Target,
    string Description,
    string Issuer,
    DateTimeOffset StartedAt,
    double? ColdStartMs,
    double? RestartMs,
    double? ColdStartCpuMs,
    double? RestartCpuMs,
    long? PeakRssKb,
    long? FinalRssKb,
    IReadOnlyList<ScenarioResult> Scenarios)
{
    /// <summary>Every round's start with an empty store (<see cref="ColdStartMs"/> is their median).</summary>
    public IReadOnlyList<double> ColdStartSamplesMs { get; init; } = [];

    /// <summary>Every round's restart (<see cref="RestartMs"/> is their median).</summary>
    public IReadOnlyList<double> RestartSamplesMs { get; init; } = [];
}

/// <summary>The upstream validation micro-benchmark.</summary>
public sealed record ValidationResult(
    string Validator,
    int Tokens,
    IReadOnlyList<ValidationPhase> Phases,
    ValidationPhase? RsaVerifyBaseline);

public sealed record ValidationPhase(int Threads, double Seconds, double CpuSeconds, long Validations, long Failures, double PerSecond, double PerCpuSecond);
