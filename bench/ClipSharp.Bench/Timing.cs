using System.Diagnostics;

namespace ClipSharp.Bench;

/// <summary>Warm-up, then timed repeats; the median is the figure (robust to the other tenants of a shared machine).</summary>
public static class Timing
{
    /// <summary>Runs <paramref name="work"/> <paramref name="warmup"/> times untimed, then <paramref name="repeats"/> times timed; returns seconds per repeat.</summary>
    public static double[] Measure(Action work, int warmup, int repeats) => Measure(work, warmup, repeats, out _);

    /// <summary>As <see cref="Measure(Action, int, int)"/>, also returning the process counters over the timed repeats.</summary>
    public static double[] Measure(Action work, int warmup, int repeats, out (ProcessCounters Before, ProcessCounters After) counters)
    {
        for (int i = 0; i < warmup; i++) work();
        var before = ProcessCounters.Read();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            work();
            times[i] = sw.Elapsed.TotalSeconds;
        }
        counters = (before, ProcessCounters.Read());
        return times;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
