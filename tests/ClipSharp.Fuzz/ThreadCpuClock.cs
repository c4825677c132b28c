using System.Runtime.InteropServices;

namespace ClipSharp.Fuzz;

/// <summary>
/// CPU time of the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): the "slow input" test uses it
/// instead of wall time, so a busy machine does not make an input look slow and a re-run (which may hit a cache the
/// first run filled) is not needed.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The thread's CPU time so far; falls back to wall time where the call fails (not Linux).</summary>
    public static TimeSpan Now()
    {
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var t) == 0) return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        return TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);
    }
}
