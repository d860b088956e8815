using System.CommandLine;
using System.Text.Json;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Cli;

/// <summary><c>export</c> and <c>import</c> of clients and accounts as JSON.</summary>
internal static class TransferCommands
{
    public static Command Export(CliContext context)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var command = new Command("export",
            "Export clients (with secret hashes, never secrets: keep the file private) and accounts with roles and wallets as JSON.") { output };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var document = await services.GetRequiredService<TransferService>().ExportAsync(token);
            var json = JsonSerializer.Serialize(document, TransferService.Json) + "\n";
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, json, token);
                await context.Error.WriteLineAsync($"Exported {document.Clients!.Count} client(s) and {document.Accounts!.Count} account(s) to {path}.");
            }
            else
            {
                await context.Output.WriteAsync(json);
            }
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    public static Command Import(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "An export file, or - for standard input." };
        var json = CliOutput.JsonOption();
        var command = new Command("import",
            "Import an export file: clients and accounts are created or updated to match it (upsert); others are left alone.") { file, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var path = parse.GetValue(file)!;
            ExportDocument? document;
            try
            {
                await using var stream = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
                document = await JsonSerializer.DeserializeAsync<ExportDocument>(stream, TransferService.Json, token);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return await CliOutput.FailAsync(context, $"cannot read {path}: {ex.Message}");
            }
            catch (JsonException ex)
            {
                return await CliOutput.FailAsync(context, $"{path} is not a valid export file at {ex.Path ?? "$"} (line {ex.LineNumber + 1}): {ex.Message}");
            }
            if (document is null) return await CliOutput.FailAsync(context, $"{path} is empty");
            var result = await services.GetRequiredService<TransferService>().ImportAsync(document, "cli", token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            var s = result.Value!;
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, s);
            await context.Output.WriteLineAsync(
                $"Imported: {s.ClientsCreated} client(s) created, {s.ClientsUpdated} updated; {s.AccountsCreated} account(s) created, {s.AccountsUpdated} updated; {s.Unchanged} unchanged.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }
}
