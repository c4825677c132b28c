using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Bench;

/// <summary>
/// The machine's fp32 matmul ceiling: libtorch's GEMM on large square matrices (2·n³ FLOPs per product), the best
/// median over a few sizes. Achieved training throughput is reported as a fraction of this.
/// </summary>
public static class MatmulCeiling
{
    public static BenchResult Run(BenchOptions o) => Run(o, ScalarType.Float32, "matmul-ceiling");

    /// <summary>The bf16 ceiling (AVX-512 BF16 / AMX where the CPU has them): the one the bf16 rows are fractions of.</summary>
    public static BenchResult RunBf16(BenchOptions o) => Run(o, ScalarType.BFloat16, "matmul-ceiling-bf16");

    private static BenchResult Run(BenchOptions o, ScalarType dtype, string name)
    {
        int[] sizes = o.Quick ? [1536] : [1024, 2048, 3072];
        var details = new Dictionary<string, string>();
        double best = 0, bestSeconds = 0;
        int bestN = 0;
        double[] bestTimes = [];
        foreach (int n in sizes)
        {
            using var scope = torch.NewDisposeScope();
            var a = torch.randn(n, n, dtype: dtype);
            var b = torch.randn(n, n, dtype: dtype);
            var times = Timing.Measure(() => { using var c = a.mm(b); }, o.Warmup, o.Repeats + 2);
            double s = Timing.Median(times), gflops = 2.0 * n * n * n / s / 1e9;
            details[$"gflops_n{n}"] = gflops.ToString("F1");
            if (gflops > best) (best, bestN, bestSeconds, bestTimes) = (gflops, n, s, times);
        }
        details["best_n"] = bestN.ToString();
        return new BenchResult
        {
            Name = name,
            Description = $"{dtype} matmul ceiling (square {string.Join("/", sizes)})",
            Value = best,
            Unit = "GFLOP/s",
            RepeatSeconds = bestTimes,
            MedianSeconds = bestSeconds,
            FlopsPerStep = 2.0 * bestN * bestN * bestN,
            AchievedGflops = best,
            Details = details,
        };
    }
}
