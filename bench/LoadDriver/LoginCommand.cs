namespace LoadDriver;

/// <summary><c>login</c>: one authorization-code login, to check a server is set up for the run.</summary>
public static class LoginCommand
{
    public static async Task<int> ExecuteAsync(Arguments args)
    {
        using var http = BenchContext.CreateHttpClient(TimeSpan.FromSeconds(args.GetDouble("timeout", 10)));
        var context = new BenchContext(http, await ProviderMetadata.LoadAsync(http, args.Require("issuer"), CancellationToken.None), BenchSettings.From(args));
        var slot = new WorkerSlot(0);
        var (tokens, outcome) = await CodeFlow.LoginAsync(context, slot, context.Settings.Web, context.Settings.CodeScope, CancellationToken.None);
        if (!outcome.Ok)
        {
            Console.Error.WriteLine($"login failed: {outcome.Error}");
            return 1;
        }
        Console.WriteLine($"login ok: access token {tokens!.AccessToken.Length} chars, id token {(tokens.IdToken is null ? "none" : "yes")}, refresh token {(tokens.RefreshToken is null ? "none" : "yes")}");
        return 0;
    }
}
