using System.Globalization;

namespace LoadDriver;

/// <summary>CPU time and memory of other processes, read from /proc (Linux).</summary>
public static class ProcessStats
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    /// <summary>
    /// User + system CPU seconds of a process, or null when it cannot be read; with
    /// <paramref name="withExitedChildren"/>, plus those of its children that have exited and been waited for.
    /// </summary>
    public static double? CpuSeconds(int pid, bool withExitedChildren = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: count from after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (withExitedChildren)
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return ticks / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU seconds of a process and its direct children (a database server and its backends), counting the
    /// children that exited too: a backend closed during a phase (a pool pruning idle connections) would
    /// otherwise take its whole CPU history out of the sum.
    /// </summary>
    public static double? TreeCpuSeconds(int pid)
    {
        var total = CpuSeconds(pid, withExitedChildren: true);
        if (total is null) return null;
        foreach (var child in Children(pid))
            total += CpuSeconds(child) ?? 0;
        return total;
    }

    /// <summary>A field of /proc/PID/status in kB (VmHWM: peak resident set; VmRSS: current).</summary>
    public static long? StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var value = line[(field.Length + 1)..].Trim();
                return long.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], out var ppid) && ppid == parent) yield return pid;
        }
    }
}
