using System.Net;

namespace LoadDriver.Scenarios;

/// <summary>GET of a public document (JWKS, discovery).</summary>
public sealed class DocumentScenario(BenchContext context, string name, Uri uri) : IScenario
{
    public string Name => name;
    public string Unit => "request";
    public int RequestsPerOperation => 1;
    public int SignaturesPerOperation => 0;

    public Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct) => Task.FromResult(Outcome.Success);

    public async Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct)
    {
        var reply = await Http.GetAsync(context.Http, uri, null, ct);
        return reply.Status == HttpStatusCode.OK && reply.Body.Length > 0 ? Outcome.Success : Outcome.FromResponse(reply.Status, reply.Body);
    }
}
