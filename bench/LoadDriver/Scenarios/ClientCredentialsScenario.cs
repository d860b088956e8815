using System.Net;

namespace LoadDriver.Scenarios;

/// <summary>client_credentials token issuance, client_secret_basic, on keep-alive connections.</summary>
public sealed class ClientCredentialsScenario(BenchContext context) : IScenario
{
    public string Name => "client_credentials";
    public string Unit => "token";
    public int RequestsPerOperation => 1;
    public int SignaturesPerOperation => 1;

    public Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct) => Task.FromResult(Outcome.Success);

    public async Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (context.Settings.ServiceScope is { } scope) form.Add(new("scope", scope));
        var reply = await Http.PostTokenAsync(context, context.Settings.Service, form, ct);
        if (reply.Status != HttpStatusCode.OK) return Outcome.FromResponse(reply.Status, reply.Body);
        return TokenSet.Read(reply.Body) is null ? Outcome.Fail("token: not a token response") : Outcome.Success;
    }
}
