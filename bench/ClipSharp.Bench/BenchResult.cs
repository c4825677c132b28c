namespace ClipSharp.Bench;

/// <summary>
/// One benchmark's figures. Value is the throughput in <see cref="Unit"/> (median over the timed repeats); the
/// reference comparison fields are filled by <see cref="ReferenceTable"/> where the PyTorch reference has a figure.
/// </summary>
public sealed record BenchResult
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required double Value { get; init; }
    public required string Unit { get; init; }
    /// <summary>Every timed repeat, seconds.</summary>
    public double[] RepeatSeconds { get; init; } = [];
    public double MedianSeconds { get; init; }
    /// <summary>Analytic FLOPs per timed unit of work (one step / one batch); null where not counted.</summary>
    public double? FlopsPerStep { get; init; }
    public double? AchievedGflops { get; init; }
    public double? CeilingFraction { get; init; }
    public double? CeilingTarget { get; init; }
    public double? PeakRssMiB { get; init; }
    public double? Reference { get; init; }
    public double? Ratio { get; init; }
    public double? Target { get; init; }
    /// <summary>True/false when a ratio or ceiling target applies; null otherwise.</summary>
    public bool? Pass { get; init; }
    public Dictionary<string, string> Details { get; init; } = new();
}
