using System.Net;

namespace LoadDriver.Scenarios;

/// <summary>GET userinfo with a bearer access token obtained by a real login.</summary>
public sealed class UserInfoScenario(BenchContext context) : IScenario
{
    public string Name => "userinfo";
    public string Unit => "request";
    public int RequestsPerOperation => 1;
    public int SignaturesPerOperation => 0;

    public async Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct)
    {
        var (tokens, outcome) = await CodeFlow.LoginAsync(context, slot, context.Settings.UserInfoClient, context.Settings.UserInfoScope, ct);
        slot.AccessToken = tokens?.AccessToken;
        return outcome;
    }

    public async Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct)
    {
        var reply = await Http.GetAsync(context.Http, context.Provider.UserInfo, slot.AccessToken, ct);
        return reply.Status == HttpStatusCode.OK ? Outcome.Success : Outcome.FromResponse(reply.Status, reply.Body);
    }
}
