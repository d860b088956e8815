namespace LoadDriver.Scenarios;

/// <summary>One kind of operation under load. Implementations hold no per-request state: that lives in the <see cref="WorkerSlot"/>.</summary>
public interface IScenario
{
    string Name { get; }

    /// <summary>What one operation is, for the report ("token", "refresh", "login", "request").</summary>
    string Unit { get; }

    /// <summary>HTTP requests in one operation.</summary>
    int RequestsPerOperation { get; }

    /// <summary>RSA signatures the provider makes for one operation (0 when it signs nothing).</summary>
    int SignaturesPerOperation { get; }

    /// <summary>Prepares a slot before the clock starts (logins, chains).</summary>
    Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct);

    Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct);
}
