using System.Text;

namespace LoadDriver.Reporting;

/// <summary>A GitHub-flavoured Markdown table; columns after the first are right-aligned unless told otherwise.</summary>
public sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public MarkdownTable Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(StringBuilder output)
    {
        output.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        output.Append("|").AppendJoin("|", headers.Select((_, i) => i == 0 ? "---" : "---:")).AppendLine("|");
        foreach (var row in _rows)
            output.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        output.AppendLine();
    }
}
