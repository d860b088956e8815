using System.CommandLine;

namespace IdentityBridge.Cli;

/// <summary>The admin verbs beyond <c>migrate</c>: clients, accounts, keys, export, import.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All(CliContext context) =>
    [
        ClientCommands.Build(context),
        AccountCommands.Build(context),
        KeyCommands.Build(context),
        TransferCommands.Export(context),
        TransferCommands.Import(context),
    ];
}
