using System.CommandLine;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Cli;

/// <summary><c>keys list|rotate|retire|revoke</c>.</summary>
internal static class KeyCommands
{
    public static Command Build(CliContext context)
    {
        var keys = new Command("keys", "Token signing keys.");
        keys.Subcommands.Add(List(context));
        keys.Subcommands.Add(Rotate(context));
        keys.Subcommands.Add(Retire(context));
        keys.Subcommands.Add(Revoke(context));
        return keys;
    }

    private static Command List(CliContext context)
    {
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List signing keys (public facts only).") { json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var keys = await services.GetRequiredService<KeyAdminService>().ListAsync(token);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, keys);
            return await CliOutput.WriteTableAsync(context, ["KID", "ALG", "STATUS", "SOURCE", "CREATED", "RETIRES", "EXPIRES"],
                keys.Select(k => new[] { k.Kid, k.Algorithm, k.Status, k.Source, CliOutput.When(k.CreatedAt), CliOutput.When(k.RetiresAt), CliOutput.When(k.ExpiresAt) }));
        }, ct));
        return command;
    }

    private static Command Rotate(CliContext context)
    {
        var algorithm = new Option<string?>("--algorithm") { Description = "RS256 or ES256 (the configured default when omitted)." };
        var json = CliOutput.JsonOption();
        var command = new Command("rotate", "Create a key that signs from now on; the previous one retires.") { algorithm, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var result = await services.GetRequiredService<KeyAdminService>().RotateAsync(parse.GetValue(algorithm), "cli", token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, result.Value);
            await context.Output.WriteLineAsync($"Key {result.Value!.Kid} ({result.Value.Algorithm}) now signs.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command Retire(CliContext context)
    {
        var kid = new Argument<string>("kid") { Description = "The key id." };
        var command = new Command("retire", "Stop signing with a key; it stays published until it expires.") { kid };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var result = await services.GetRequiredService<KeyAdminService>().RetireAsync(parse.GetValue(kid)!, "cli", token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            await context.Output.WriteLineAsync($"Key {result.Value!.Kid} retired; published until {CliOutput.When(result.Value.ExpiresAt)}.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var kid = new Argument<string>("kid") { Description = "The key id." };
        var command = new Command("revoke", "Revoke a compromised key: it leaves the JWKS now and every token it signed is refused; a new key signs in its place.") { kid };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var result = await services.GetRequiredService<KeyAdminService>().RevokeAsync(parse.GetValue(kid)!, "cli", token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            await context.Output.WriteLineAsync($"Key {result.Value!.Kid} {result.Value.Status}: out of the JWKS since {CliOutput.When(result.Value.ExpiresAt)}; tokens it signed are refused.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }
}
