using IdentityBridge;
using IdentityBridge.Cli;

// Admin verbs (clients, accounts, keys, migrate, export, import) run against the configured database
// and exit; anything else starts the server.
if (CliApp.IsCommand(args))
    return await CliApp.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddIdentityBridge();
var app = builder.Build();
app.UseIdentityBridge();
try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    // A start that fails (settings refused by their validation, the database unreachable or its migration
    // failing, the port taken) ends the process with status 1 and the reason on one line, after the host has
    // logged the details. Left unhandled, the exception would abort the runtime instead: status 134, its stack
    // on stderr, and a core dump wherever the host allows them. (Errors in composing the application, above,
    // still propagate: the test hosts, which stop the program once it is built, receive them from here.)
    Console.Error.WriteLine($"IdentityBridge could not start: {ex.Message}");
    return 1;
}

public partial class Program;
