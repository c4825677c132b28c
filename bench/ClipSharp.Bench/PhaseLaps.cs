using System.Diagnostics;
using System.Globalization;

namespace ClipSharp.Bench;

/// <summary>Wall time of the phases of one step (CPU ops are synchronous, so a lap ends when its ops are done).</summary>
public sealed class PhaseLaps
{
    private readonly Stopwatch _sw = Stopwatch.StartNew();
    private double _last;

    /// <summary>phase → seconds, in order.</summary>
    public List<(string Phase, double Seconds)> Laps { get; } = [];

    /// <summary>Ends the current phase, named <paramref name="phase"/>.</summary>
    public void Lap(string phase)
    {
        double now = _sw.Elapsed.TotalSeconds;
        Laps.Add((phase, now - _last));
        _last = now;
    }

    /// <summary>"phase_s" → median seconds over <paramref name="steps"/> (3 decimals).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Medians(IReadOnlyList<PhaseLaps> steps) =>
        steps.SelectMany(s => s.Laps).GroupBy(l => l.Phase)
            .Select(g => KeyValuePair.Create($"{g.Key}_s", Timing.Median(g.Select(l => l.Seconds).ToList()).ToString("F3", CultureInfo.InvariantCulture)));
}
