namespace IdentityBridge.Cli;

/// <summary>Where a verb writes and which configuration it adds on top of the server's (tests give their own).</summary>
internal sealed class CliContext
{
    public TextWriter Output { get; init; } = Console.Out;
    public TextWriter Error { get; init; } = Console.Error;
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}
