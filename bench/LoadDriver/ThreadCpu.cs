using System.Runtime.InteropServices;

namespace LoadDriver;

/// <summary>CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), so that a micro-benchmark counts its own work and not the runtime's background threads.</summary>
internal static class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec value);

    /// <summary>Seconds of CPU the current thread has used, or NaN where the clock is not available.</summary>
    public static double Seconds()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTimeId, out var value) == 0 ? value.Seconds + value.Nanoseconds / 1e9 : double.NaN;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return double.NaN;
        }
    }
}
