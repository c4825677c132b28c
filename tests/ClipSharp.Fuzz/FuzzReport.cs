using System.Globalization;
using System.Text;

namespace ClipSharp.Fuzz;

/// <summary>What one run of a target did: inputs, outcomes, throughput and the failures by kind (first few kept).</summary>
public sealed class FuzzReport(string target, int seed)
{
    private const int KeptPerKind = 5;

    public string Target { get; } = target;
    public int Seed { get; } = seed;
    public long Inputs { get; set; }
    public long Accepted { get; set; }
    public long Refused { get; set; }
    public TimeSpan Elapsed { get; set; }
    public TimeSpan Slowest { get; set; }
    public Dictionary<string, long> FailureCounts { get; } = new(StringComparer.Ordinal);
    public List<FuzzFailure> Failures { get; } = [];

    public long FailureTotal => FailureCounts.Values.Sum();
    public double InputsPerSecond => Elapsed.TotalSeconds > 0 ? Inputs / Elapsed.TotalSeconds : 0;

    /// <summary>Counts a failure; returns true when it is one of the first of its kind (kept and worth saving).</summary>
    public bool Add(FuzzFailure f)
    {
        FailureCounts[f.Kind] = FailureCounts.GetValueOrDefault(f.Kind) + 1;
        if (FailureCounts[f.Kind] > KeptPerKind) return false;
        Failures.Add(f);
        return true;
    }

    /// <summary>One summary line plus one line per failure kind and kept example.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Target} seed {Seed}: {Inputs} inputs in {Elapsed.TotalSeconds:F1} s ({InputsPerSecond:F0}/s), ");
        sb.Append(CultureInfo.InvariantCulture, $"{Accepted} read, {Refused} refused with ClipSharpException, {FailureTotal} failures, slowest {Slowest.TotalMilliseconds:F0} ms");
        foreach (var (kind, n) in FailureCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append(CultureInfo.InvariantCulture, $"\n  {kind}: {n}");
        foreach (var f in Failures)
            sb.Append(CultureInfo.InvariantCulture, $"\n  [{f.Kind}] {f.Input.Length} bytes: {Short(f.Message)}\n    {Convert.ToHexString(f.Input.AsSpan(0, Math.Min(f.Input.Length, 48)))}");
        return sb.ToString();
    }

    private static string Short(string s) => (s.Length > 300 ? s[..300] + "..." : s).Replace('\n', ' ');
}
