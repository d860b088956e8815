namespace XummSimulator;

/// <summary>The outcome of a state change: success, or an error code with a description.</summary>
public sealed record XummSimulatorResult(bool Succeeded, string? Error = null, string? Description = null)
{
    public static XummSimulatorResult Success { get; } = new(true);

    public static XummSimulatorResult Fail(string error, string description) => new(false, error, description);
}
