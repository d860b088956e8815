using System.Collections.Concurrent;
using System.Diagnostics;

namespace LoadDriver;

/// <summary>Collects one phase's outcomes and the CPU the server, its database and the driver used meanwhile.</summary>
public sealed class PhaseRecorder(int? serverPid, int? databasePid)
{
    private readonly LatencyHistogram _latency = new();
    private readonly LatencyHistogram _lateness = new();
    private long _latenessCount;
    private readonly ConcurrentDictionary<string, long> _errorKinds = new(StringComparer.Ordinal);
    private long _ok;
    private long _errors;
    private long _begin;
    private long _end;
    private double? _serverCpu;
    private double? _databaseCpu;
    private TimeSpan _driverCpu;
    private string _load = "";

    public void Begin()
    {
        _serverCpu = serverPid is { } s ? ProcessStats.CpuSeconds(s) : null;
        _databaseCpu = databasePid is { } d ? ProcessStats.TreeCpuSeconds(d) : null;
        _driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _begin = Stopwatch.GetTimestamp();
    }

    public void End()
    {
        _end = Stopwatch.GetTimestamp();
        _serverCpu = serverPid is { } s && _serverCpu is { } s0 ? ProcessStats.CpuSeconds(s) - s0 : null;
        _databaseCpu = databasePid is { } d && _databaseCpu is { } d0 ? ProcessStats.TreeCpuSeconds(d) - d0 : null;
        _driverCpu = Process.GetCurrentProcess().TotalProcessorTime - _driverCpu;
        _load = ProcessStats.LoadAverage();
    }

    public void Record(Outcome outcome, long elapsedTicks)
    {
        if (outcome.Ok)
        {
            Interlocked.Increment(ref _ok);
            _latency.Record(elapsedTicks * 1_000_000 / Stopwatch.Frequency);
        }
        else
        {
            Interlocked.Increment(ref _errors);
            _errorKinds.AddOrUpdate(outcome.Error!, 1, (_, n) => n + 1);
        }
    }

    /// <summary>
    /// Open loop: how late the driver started a request after its scheduled time (a timer firing late, the
    /// slot still busy with the previous request). It is part of the recorded latency, so it shows how much of
    /// a tail the driver's side accounts for.
    /// </summary>
    public void RecordLateness(long ticks)
    {
        Interlocked.Increment(ref _latenessCount);
        _lateness.Record(Math.Max(0, ticks) * 1_000_000 / Stopwatch.Frequency);
    }

    public void Note(string kind) => _errorKinds.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public PhaseResult Result(string mode, int workers, double targetRate)
    {
        var seconds = (_end - _begin) / (double)Stopwatch.Frequency;
        return new PhaseResult(mode, workers, targetRate, Math.Round(seconds, 3), _ok, _errors,
            Math.Round(seconds > 0 ? _ok / seconds : 0, 1),
            _latency.PercentileMs(50), _latency.PercentileMs(90), _latency.PercentileMs(99), _latency.PercentileMs(99.9),
            _latency.MaxMs, Math.Round(_latency.MeanMs, 3),
            _serverCpu is { } s ? Math.Round(s, 2) : null, _databaseCpu is { } d ? Math.Round(d, 2) : null,
            Math.Round(_driverCpu.TotalSeconds, 2), _load,
            Interlocked.Read(ref _latenessCount) > 0 ? _lateness.PercentileMs(99) : null,
            _errorKinds.OrderByDescending(e => e.Value).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
    }
}
