using System.CommandLine;

namespace IdentityBridge.Cli;

/// <summary>The admin verbs beyond <c>migrate</c>: clients, accounts, keys, export, import.</summary>
internal static class CliCommands
{
    public static IEnumerable<Command> All() => [];
}
