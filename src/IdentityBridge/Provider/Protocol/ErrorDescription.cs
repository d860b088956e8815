using System.Text;

namespace IdentityBridge.Provider.Protocol;

/// <summary>
/// The one place that shapes <c>error_description</c> values. RFC 6749 §4.1.2.1 and §5.2 (and RFC 6750 §3 for
/// the challenge header) allow only the printable ASCII characters other than <c>"</c> and <c>\</c>
/// (%x20-21 / %x23-5B / %x5D-7E): <see cref="ProtocolError"/> passes every description through
/// <see cref="Clean"/>, so no response built from one can break the rule, whatever a message interpolates.
/// </summary>
public static class ErrorDescription
{
    /// <summary>Longest description sent; a longer one is clipped and ends with "...".</summary>
    public const int MaxLength = 256;

    /// <summary>Longest piece of client input a description quotes (<see cref="Echo"/>).</summary>
    public const int MaxEchoLength = 40;

    private const string Ellipsis = "...";

    /// <summary>
    /// The description with every character outside the allowed set replaced: <c>"</c> by <c>'</c>,
    /// <c>\</c> by <c>/</c>, "…" by "...", tabs and line breaks by a space, anything else (non-ASCII, control
    /// characters) by <c>?</c>, one per Unicode character; then clipped to <see cref="MaxLength"/>.
    /// </summary>
    public static string? Clean(string? description)
    {
        if (description is null) return null;
        var builder = new StringBuilder(Math.Min(description.Length, MaxLength + 8));
        foreach (var rune in description.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append('\''); break;
                case '\\': builder.Append('/'); break;
                case '\u2026': builder.Append(Ellipsis); break;
                case '\t' or '\r' or '\n': builder.Append(' '); break;
                case >= 0x20 and <= 0x7E: builder.Append((char)rune.Value); break;
                default: builder.Append('?'); break;
            }
            if (builder.Length > MaxLength) break;
        }
        if (builder.Length > MaxLength)
        {
            builder.Length = MaxLength - Ellipsis.Length;
            builder.Append(Ellipsis);
        }
        return builder.ToString();
    }

    /// <summary>
    /// A value from the request, to quote in a description: at most <see cref="MaxEchoLength"/> characters,
    /// followed by "..." when it was longer. (Its characters are made safe with the whole description.)
    /// </summary>
    public static string Echo(string value)
    {
        if (value.Length <= MaxEchoLength) return value;
        var cut = MaxEchoLength;
        if (char.IsHighSurrogate(value[cut - 1])) cut--;
        return value[..cut] + Ellipsis;
    }
}
