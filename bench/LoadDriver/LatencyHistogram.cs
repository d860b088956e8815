using System.Numerics;

namespace LoadDriver;

/// <summary>
/// Log-linear histogram of latencies in microseconds: exact below 128 µs, then 128 buckets per power of
/// two (under 0.8 % error). Safe to record into from many threads; percentiles read after recording.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 7;
    private const int SubCount = 1 << SubBits;
    private readonly long[] _buckets = new long[SubCount + (63 - SubBits) * SubCount];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _buckets[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        long seen;
        while (micros > (seen = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, seen) != seen)
        {
        }
    }

    public double MeanMs => _count == 0 ? 0 : _sum / (double)_count / 1000.0;

    public double MaxMs => _max / 1000.0;

    /// <summary>The latency at or under which <paramref name="percent"/> % of the recordings fall, in ms.</summary>
    public double PercentileMs(double percent)
    {
        if (_count == 0) return 0;
        var rank = (long)Math.Ceiling(percent / 100.0 * _count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank) return Math.Min(UpperBound(i), _max) / 1000.0;
        }
        return MaxMs;
    }

    private static int IndexOf(long value)
    {
        if (value < SubCount) return (int)value;
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var mantissa = (int)(value >> (msb - SubBits)); // SubCount .. 2*SubCount-1
        return SubCount + (msb - SubBits) * SubCount + (mantissa - SubCount);
    }

    private static long UpperBound(int index)
    {
        if (index < SubCount) return index;
        var octave = (index - SubCount) / SubCount;
        var mantissa = SubCount + (index - SubCount) % SubCount;
        return ((long)(mantissa + 1) << octave) - 1;
    }
}
