namespace ClipSharp.Bench;

/// <summary>What to run. Quick: a smaller subset with fewer repeats (for development, not for figures).</summary>
/// <param name="Quick">Run the quick subset (no ViT-B-32 training) with 1 warm-up and 2 timed repeats.</param>
/// <param name="OutPath">Where the JSON goes (null: only the console table).</param>
/// <param name="Only">Run just these benchmarks (names as in <see cref="BenchCatalog"/>).</param>
/// <param name="Threads">libtorch intra-op threads; 0 = one per core.</param>
/// <param name="SharedDir">Folder holding bench/ (bench_small.json, jpegs-500x375); null = $CLIPSHARP_SHARED or ../shared beside the repo.</param>
/// <param name="InProcess">Run every benchmark in this process (no per-benchmark child; peak memory is then cumulative).</param>
/// <param name="ReferenceFiles">The peer reference measured back to back on this machine (../shared/peer's JSON files):
/// ratios against its best precision replace the fixed reference table.</param>
public sealed record BenchOptions(
    bool Quick = false,
    string? OutPath = null,
    IReadOnlyList<string>? Only = null,
    int Threads = 0,
    string? SharedDir = null,
    bool InProcess = false,
    IReadOnlyList<string>? ReferenceFiles = null)
{
    /// <summary>The thread count to use: <see cref="Threads"/>, or the number of logical cores.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Untimed warm-up iterations before the timed ones.</summary>
    public int Warmup => Quick ? 1 : 2;

    /// <summary>Timed repeats (the median is reported).</summary>
    public int Repeats => Quick ? 2 : 5;

    /// <summary>The shared bench folder: SharedDir/bench, $CLIPSHARP_SHARED/bench, or ../shared/bench beside the repository.</summary>
    public string BenchDir()
    {
        if (SharedDir is { Length: > 0 }) return Path.Combine(SharedDir, "bench");
        if (Environment.GetEnvironmentVariable("CLIPSHARP_SHARED") is { Length: > 0 } env) return Path.Combine(env, "bench");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "ClipSharp.sln")))
                    return Path.Combine(d.Parent?.FullName ?? d.FullName, "shared", "bench");
        return Path.Combine(Directory.GetCurrentDirectory(), "..", "shared", "bench");
    }
}
