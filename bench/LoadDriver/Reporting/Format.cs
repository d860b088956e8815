using System.Globalization;

namespace LoadDriver.Reporting;

internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Rate(double value) => value >= 100 ? value.ToString("N0", Invariant) : value.ToString("0.0", Invariant);

    public static string Ms(double value) => value >= 100 ? value.ToString("0", Invariant) : value.ToString("0.00", Invariant);

    public static string Ratio(double value) => value.ToString("0.00", Invariant) + "×";

    public static string Percent(double value) => (value * 100).ToString("0", Invariant) + " %";

    public static string Mb(long? kb) => kb is { } k ? (k / 1024.0).ToString("0", Invariant) + " MB" : "n/a";

    public static string Seconds(double? ms) => ms is { } m ? (m / 1000.0).ToString("0.00", Invariant) + " s" : "n/a";

    public static string Number(double value, string format) => value.ToString(format, Invariant);

    public static string Met(bool met) => met ? "yes" : "**no**";
}
