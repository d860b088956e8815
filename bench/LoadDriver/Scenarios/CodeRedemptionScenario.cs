namespace LoadDriver.Scenarios;

/// <summary>
/// The authorization-code flow of a user who already has a session: authorize with the session cookie
/// (one redirect straight to the client), then redeem the code with PKCE. One operation is both requests.
/// </summary>
public sealed class CodeRedemptionScenario(BenchContext context) : IScenario
{
    public string Name => "authorization_code";
    public string Unit => "login";
    public int RequestsPerOperation => 2;
    public int SignaturesPerOperation => 2;

    public async Task<Outcome> SetupAsync(WorkerSlot slot, CancellationToken ct) =>
        (await CodeFlow.LoginAsync(context, slot, context.Settings.Web, context.Settings.CodeScope, ct)).Outcome;

    public async Task<Outcome> ExecuteAsync(WorkerSlot slot, CancellationToken ct)
    {
        var authorization = await CodeFlow.AuthorizeAsync(context, slot, context.Settings.Web, context.Settings.CodeScope, maxHops: 1, ct);
        if (authorization.Error is { } error)
        {
            // The session is gone (the provider asked for a login): count it and sign in again.
            await CodeFlow.LoginAsync(context, slot, context.Settings.Web, context.Settings.CodeScope, ct);
            return Outcome.Fail(error);
        }
        return (await CodeFlow.RedeemAsync(context, context.Settings.Web, authorization.Code!, authorization.Verifier!, ct)).Outcome;
    }
}
