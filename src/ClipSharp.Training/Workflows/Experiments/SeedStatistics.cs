using System.Globalization;
using System.Text.Json.Nodes;

namespace ClipSharp.Workflows.Experiments;

/// <summary>Mean and sample standard deviation of one quantity over seeds (<see cref="N"/> values).</summary>
public sealed record MeanSd(double Mean, double Sd, int N)
{
    /// <summary>"mean ± sd" with <paramref name="format"/> (InvariantCulture; <paramref name="signed"/>: the mean with its sign,
    /// as gains are shown); "-" when there is no value.</summary>
    public string Format(string format = "0.00", bool signed = false)
    {
        if (N == 0 || !double.IsFinite(Mean)) return "-";
        var mean = Mean.ToString(signed ? $"+{format};-{format};{format}" : format, CultureInfo.InvariantCulture);
        return $"{mean} ± {Sd.ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <summary>{"mean", "sd", "n"} (null for a non-finite value).</summary>
    public JsonObject ToJson() => new()
    {
        ["mean"] = double.IsFinite(Mean) ? Math.Round(Mean, 6) : null,
        ["sd"] = double.IsFinite(Sd) ? Math.Round(Sd, 6) : null,
        ["n"] = N,
    };
}

/// <summary>
/// Statistics over seeds: the mean and the sample standard deviation (n − 1 in the denominator; 0 for a single seed,
/// where no spread is measurable).
/// </summary>
public static class SeedStatistics
{
    /// <summary>Mean ± sample sd of <paramref name="values"/>; non-finite values are left out (N counts the rest).</summary>
    public static MeanSd Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return new MeanSd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Count < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return new MeanSd(mean, sd, v.Count);
    }

    /// <summary>
    /// Every metric of every eval summarized over seeds: <paramref name="perSeed"/> holds one (eval → metric → value)
    /// table per seed; a metric missing in some seeds is summarized over the seeds that have it.
    /// </summary>
    public static Dictionary<string, Dictionary<string, MeanSd>> Summarize(IReadOnlyList<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> perSeed)
    {
        var result = new Dictionary<string, Dictionary<string, MeanSd>>();
        foreach (var eval in perSeed.SelectMany(s => s.Keys).Distinct())
        {
            var keys = perSeed.Where(s => s.ContainsKey(eval)).SelectMany(s => s[eval].Keys).Distinct();
            result[eval] = keys.ToDictionary(k => k, k => Of(perSeed.Select(s =>
                s.TryGetValue(eval, out var m) && m.TryGetValue(k, out var v) ? v : double.NaN)));
        }
        return result;
    }
}
