namespace ClipSharp.Bench;

/// <summary>The whole run: machine facts, the ceiling, every result, and the CLIPS 32-vs-80-token saving.</summary>
public sealed record BenchReport
{
    public required string StartedUtc { get; init; }
    public bool Quick { get; init; }
    public int Threads { get; init; }
    public int LogicalCores { get; init; }
    public string? LoadAverageAtStart { get; init; }
    public string? TorchSharp { get; init; }
    public string? LibTorch { get; init; }
    public string? DotNet { get; init; }
    /// <summary>What ClipSharp.Core.MklCpuDispatch did in this process (Applied, NotNeeded, Disabled, ...).</summary>
    public string? MklDispatch { get; init; }

    /// <summary>Whether libtorch's oneDNN kernels were on (ProcessTuning's OneDnnState).</summary>
    public string? OneDnn { get; init; }
    public string? CpuVendor { get; init; }
    public bool IsolatedProcesses { get; init; }
    public string FlopConvention { get; init; } =
        "analytic matmul FLOPs (2 per multiply-add) of the forward; a train step counts 3x forward";
    public double? CeilingGflops { get; init; }
    public required IReadOnlyList<BenchResult> Results { get; init; }
    public ClipsSaving? ClipsPartialSaving { get; init; }
}

/// <summary>The CLIPS compute argument: the same step with the partial synthetic caption at 32 instead of 80 tokens.</summary>
public sealed record ClipsSaving(double StepSeconds80, double StepSeconds32, double TimeSaving, double Speedup, double FlopSaving, double? PeakRssSavingMiB)
{
    /// <summary>From the train-clips-tiny-p80 / -p32 results, when both ran.</summary>
    public static ClipsSaving? From(IReadOnlyList<BenchResult> results)
    {
        var a = results.FirstOrDefault(r => r.Name == "train-clips-tiny-p80");
        var b = results.FirstOrDefault(r => r.Name == "train-clips-tiny-p32");
        if (a is null || b is null) return null;
        double? mem = a.PeakRssMiB is { } ma && b.PeakRssMiB is { } mb ? ma - mb : null;
        double flopSaving = a.FlopsPerStep is { } fa && b.FlopsPerStep is { } fb ? 1 - fb / fa : double.NaN;
        return new ClipsSaving(a.MedianSeconds, b.MedianSeconds, 1 - b.MedianSeconds / a.MedianSeconds,
            a.MedianSeconds / b.MedianSeconds, flopSaving, mem);
    }
}
