using IdentityBridge;
using IdentityBridge.Cli;

// Admin verbs (clients, accounts, keys, migrate, export, import) run against the configured database
// and exit; anything else starts the server.
if (CliApp.IsCommand(args))
    return await CliApp.RunAsync(args);

WebApplicationBuilder builder;
try
{
    builder = WebApplication.CreateBuilder(args);
    builder.AddIdentityBridge();
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    // A setting read while the application is composed (the rate limits configure the limiter itself) that
    // cannot be read.
    return CouldNotStart(ex);
}
// Build is left alone: a test host stops the program there once it has the host, and starts that host itself.
var app = builder.Build();
try
{
    // Building the pipeline reads the validated settings (antiforgery needs data protection, whose key ring lives
    // in the database the settings name), so a refused setting surfaces here.
    app.UseIdentityBridge();
}
catch (Exception ex) when (ex is not OutOfMemoryException && !RunsInTestServer(app))
{
    return CouldNotStart(ex);
}
try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    // Settings refused by their validation, the database unreachable or its migration failing, the port taken.
    return CouldNotStart(ex);
}

// A start that fails ends the process with status 1 and the reason on one line (after the host has logged the
// details, when it had a logger). Left unhandled, the exception would abort the runtime instead: status 134, its
// stack on stderr, and a core dump wherever the host allows them.
static int CouldNotStart(Exception ex)
{
    Console.Error.WriteLine($"IdentityBridge could not start: {ex.Message}");
    return 1;
}

// An in-process test host (TestServer) runs this program to get the application and reports what it throws as
// the start's failure; it must see the exception rather than a status.
static bool RunsInTestServer(WebApplication app) =>
    app.Services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.GetType().FullName == "Microsoft.AspNetCore.TestHost.TestServer";

public partial class Program;
