using System.Net;

namespace LoadDriver.Scenarios;

/// <summary>
/// refresh_token with rotation: every request presents the token the previous request of its chain
/// returned. Chains are seeded by real authorization-code logins; each slot drives several chains in turn.
/// A failed chain is counted as an error and replaced by a new login.
/// </summary>
public sealed class RefreshScenario(BenchContext context, int chainsPerSlot) : IScenario
{
    public string Name => "refresh_token";
    public string Unit => "refresh";
    public int RequestsPerOperation => 1;
    public int SignaturesPerOperation => 2;

    public async Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct)
    {
        for (var i = 0; i < chainsPerSlot; i++)
        {
            var outcome = await SeedAsync(slot, ct);
            if (!outcome.Ok) return outcome;
        }
        return Outcome.Success;
    }

    public async Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct)
    {
        var current = slot.Chains.Dequeue();
        var reply = await Http.PostTokenAsync(context, context.Settings.Web,
            [new("grant_type", "refresh_token"), new("refresh_token", current)], ct);
        var outcome = reply.Status != HttpStatusCode.OK
            ? Outcome.FromResponse(reply.Status, reply.Body)
            : TokenSet.Read(reply.Body) switch
            {
                null => Outcome.Fail("refresh: not a token response"),
                { RefreshToken: null } => Outcome.Fail("refresh: no new refresh token"),
                { RefreshToken: var next } when next == current => Outcome.Fail("refresh: token not rotated"),
                { RefreshToken: var next } => Chain(slot, next!),
            };
        if (!outcome.Ok) await SeedAsync(slot, ct);
        return outcome;
    }

    private static Outcome Chain(WorkerSlot slot, string next)
    {
        slot.Chains.Enqueue(next);
        return Outcome.Success;
    }

    private async Task<Outcome> SeedAsync(WorkerSlot slot, CancellationToken ct)
    {
        var (tokens, outcome) = await CodeFlow.LoginAsync(context, slot, context.Settings.Web, context.Settings.CodeScope, ct);
        if (!outcome.Ok) return outcome;
        if (tokens!.RefreshToken is null) return Outcome.Fail("login: no refresh token");
        slot.Chains.Enqueue(tokens.RefreshToken);
        return Outcome.Success;
    }
}
