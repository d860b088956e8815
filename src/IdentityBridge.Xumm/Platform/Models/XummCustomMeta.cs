using System.Text.Json;

namespace IdentityBridge.Xumm;

/// <summary>The caller's own data attached to a payload.</summary>
public sealed record XummCustomMeta
{
    /// <summary>A unique identifier of the caller's choice.</summary>
    public string? Identifier { get; init; }

    /// <summary>A line shown to the user in the app.</summary>
    public string? Instruction { get; init; }

    /// <summary>Arbitrary JSON of the caller's choice.</summary>
    public JsonElement? Blob { get; init; }
}
