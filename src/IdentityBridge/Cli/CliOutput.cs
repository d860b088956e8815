using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityBridge.Admin.Services;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Cli;

/// <summary>Shared plumbing of the admin verbs: the host, tables for people, JSON for scripts, exit codes.</summary>
internal static class CliOutput
{
    public const int Ok = 0;
    /// <summary>The input was refused (invalid, unknown id, conflict).</summary>
    public const int Refused = 1;
    /// <summary>The bridge could not start: configuration or database.</summary>
    public const int Broken = 2;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print JSON for scripts instead of a table." };

    /// <summary>
    /// Runs <paramref name="action"/> with a request-like scope of the configured bridge, whose database is brought up
    /// to date first unless <paramref name="migrate"/> is false (the <c>migrate</c> verb does that itself).
    /// </summary>
    public static async Task<int> RunAsync(CliContext context, Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct,
        bool migrate = true)
    {
        WebApplication app;
        try
        {
            app = await CliApp.BuildHostAsync(migrate, context.Settings);
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures) await context.Error.WriteLineAsync("error: " + failure);
            return Broken;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            await context.Error.WriteLineAsync("error: the bridge could not start: " + ex.Message);
            return Broken;
        }
        await using (app)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider, ct);
        }
    }

    public static async Task<int> FailAsync(CliContext context, AdminError error)
    {
        await context.Error.WriteLineAsync($"error: {error.Title}");
        if (error.Errors is { Count: > 0 } fields)
            foreach (var (field, messages) in fields)
                foreach (var m in messages)
                    await context.Error.WriteLineAsync($"  {field}: {m}");
        else if (error.Detail is not null)
            await context.Error.WriteLineAsync($"  {error.Detail}");
        return Refused;
    }

    public static Task<int> FailAsync(CliContext context, string message) => FailAsync(context, new AdminError(AdminErrorKind.Validation, message));

    public static async Task<int> WriteJsonAsync<T>(CliContext context, T value)
    {
        await context.Output.WriteLineAsync(JsonSerializer.Serialize(value, Json));
        return Ok;
    }

    /// <summary>A plain aligned table; empty cells print as "-".</summary>
    public static async Task<int> WriteTableAsync(CliContext context, string[] headers, IEnumerable<string?[]> rows)
    {
        var all = rows.Select(r => r.Select(c => string.IsNullOrEmpty(c) ? "-" : c).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        await context.Output.WriteLineAsync(Line(headers, widths));
        foreach (var row in all) await context.Output.WriteLineAsync(Line(row, widths));
        if (all.Count == 0) await context.Output.WriteLineAsync("(none)");
        return Ok;
    }

    public static string When(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
