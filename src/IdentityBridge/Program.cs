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
await app.RunAsync();
return 0;

public partial class Program;
