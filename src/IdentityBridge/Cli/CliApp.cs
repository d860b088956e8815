using System.CommandLine;
using IdentityBridge.Storage;

namespace IdentityBridge.Cli;

/// <summary>
/// Admin verbs of the same executable: <c>dotnet run --project src/IdentityBridge -- VERB ...</c>.
/// They build the same host as the server (same configuration, same database) but do not listen.
/// </summary>
public static class CliApp
{
    private static readonly string[] Verbs = ["migrate", "healthcheck", "clients", "accounts", "keys", "export", "import"];

    /// <summary>
    /// The root command's own options (help, and the version its help lists) are commands too: anything else that is
    /// not a verb starts the server, so <c>--help</c> would otherwise start a bridge instead of saying what it can do.
    /// </summary>
    private static readonly string[] RootOptions = ["--help", "-h", "-?", "--version"];

    public static bool IsCommand(string[] args) =>
        args.Length > 0 && (Verbs.Contains(args[0], StringComparer.Ordinal) || RootOptions.Contains(args[0], StringComparer.Ordinal));

    public static Task<int> RunAsync(string[] args) => RunAsync(args, new CliContext());

    /// <summary>Runs a verb with its output, error stream and extra configuration given by <paramref name="context"/>.</summary>
    internal static async Task<int> RunAsync(string[] args, CliContext context)
    {
        var root = new RootCommand(
            "IdentityBridge. Without a verb it starts the server (ASP.NET Core arguments such as --urls apply); " +
            "a verb below runs against the configured database and exits.");
        root.Subcommands.Add(MigrateCommand(context));
        root.Subcommands.Add(HealthCheckCommand());
        foreach (var command in CliCommands.All(context))
            root.Subcommands.Add(command);
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error });
    }

    /// <summary>
    /// A host with the server's configuration and services, without Kestrel. <paramref name="settings"/>
    /// override the configuration (highest precedence). Logs go to standard error, so standard output
    /// carries only the verb's result (tables or JSON).
    /// </summary>
    internal static async Task<WebApplication> BuildHostAsync(bool migrate = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (settings is { Count: > 0 }) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIdentityBridge();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        var app = builder.Build();
        app.Services.GetRequiredService<Audit.AuditQueue>().WriteThrough = true;
        if (migrate) await app.Services.InitializeIdentityBridgeAsync();
        else app.Services.ValidateIdentityBridgeSettings();
        return app;
    }

    private static Command MigrateCommand(CliContext context)
    {
        var command = new Command("migrate", "Apply database migrations (the server also does this at startup).");
        var target = new Option<string?>("--to") { Description = "Migrate up or down to this migration id." };
        command.Options.Add(target);
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var migrator = services.GetRequiredService<DatabaseMigrator>();
            IReadOnlyList<string> applied;
            try
            {
                applied = await migrator.MigrateAsync(parse.GetValue(target), token);
            }
            catch (InvalidOperationException ex)
            {
                // EF Core names a --to it does not know.
                await context.Error.WriteLineAsync("error: " + ex.Message);
                return CliOutput.Refused;
            }
            catch (System.Data.Common.DbException ex)
            {
                // The database cannot be reached, or a migration failed in it.
                await context.Error.WriteLineAsync("error: the database could not be migrated: " + ex.Message);
                return CliOutput.Broken;
            }
            await context.Output.WriteLineAsync(applied.Count == 0 ? "Database is up to date." : $"Applied: {string.Join(", ", applied)}");
            foreach (var id in await migrator.AppliedAsync(token)) await context.Output.WriteLineAsync($"  {id}");
            return CliOutput.Ok;
        }, ct, migrate: false));
        return command;
    }

    /// <summary>For container health checks (the runtime image has no curl): GET /healthz on the local port.</summary>
    private static Command HealthCheckCommand()
    {
        var command = new Command("healthcheck", "Exit 0 when the server on this machine answers /healthz.");
        var url = new Option<string>("--url") { Description = "Health URL.", DefaultValueFactory = _ => LocalHealthUrl() };
        command.Options.Add(url);
        command.SetAction(async (parse, ct) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                var response = await http.GetAsync(parse.GetValue(url), ct);
                Console.WriteLine($"{(int)response.StatusCode} {response.ReasonPhrase}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"unhealthy: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static string LocalHealthUrl()
    {
        var urls = Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://+:8080";
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        var port = Uri.TryCreate(first.Replace("+", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var u) ? u.Port : 8080;
        return $"http://127.0.0.1:{port}/healthz";
    }
}
