using LoadDriver.Reporting;

namespace LoadDriver;

/// <summary><c>report</c>: bench/results/latest.md and the chart data from the raw folder.</summary>
public static class ReportCommand
{
    public static int Execute(Arguments args)
    {
        var raw = RawResults.Load(args.Require("raw"));
        var context = new ReportContext(
            DateTimeOffset.UtcNow,
            args.Get("settings", "settings not recorded"),
            args.Get("machine", $"{Environment.ProcessorCount} cores"),
            args.Get("bridge", "commit not recorded"),
            args.Get("peer", "not recorded"),
            args.GetInt("cores", Environment.ProcessorCount));
        var writer = new ReportWriter(raw, context);
        File.WriteAllText(args.Require("out"), writer.Markdown());
        if (args.Get("dat") is { } dat) File.WriteAllText(dat, writer.ChartData());
        Console.WriteLine($"report: {raw.Targets.Count} server(s), written to {args.Require("out")}");
        return 0;
    }
}
