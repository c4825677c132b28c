using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using ClipSharp.Inference;

namespace ClipSharp.Bench;

/// <summary>
/// The on-disk <see cref="EmbeddingIndex"/> (Inference): an index of N random unit 512-d vectors is built in a temp
/// folder, then 200 random unit queries (a text query's embedding; not rows of the index) ask for the top 10, on one
/// thread and with the default thread count; the median is the figure. Also timed: appending and removing 1,000
/// entries, and the floor a plain dot-product scan over a managed array reaches on one thread (what the mapped scan
/// should approach), the first query of the process (mapping + JIT: what one `clipsharp search` pays) and the first
/// query after a write (the file is mapped again). No model: the text encoder's cost is encode-text's benchmark.
/// </summary>
public static class IndexSearchBenchmark
{
    private const int Dim = 512, TopK = 10, Queries = 200, Churn = 1000;

    /// <summary>One spec per index size (for the catalog).</summary>
    public static IReadOnlyList<BenchSpec> Specs { get; } =
    [
        new("index-search-10k", "embedding index search, 10k x 512, top-10", true, false, o => Run("index-search-10k", 10_000, o)),
        new("index-search-100k", "embedding index search, 100k x 512, top-10", false, false, o => Run("index-search-100k", 100_000, o)),
    ];

    /// <summary>Builds an index of <paramref name="rows"/> vectors and times search, add and remove.</summary>
    public static BenchResult Run(string name, int rows, BenchOptions o)
    {
        var rng = new Random(17);
        var dir = Path.Combine(Path.GetTempPath(), $"clipsharp-bench-index-{Guid.NewGuid():N}");
        try
        {
            var flat = new float[(long)rows * Dim];
            for (int i = 0; i < rows; i++) Fill(rng, flat.AsSpan(i * Dim, Dim));
            var queries = Enumerable.Range(0, Queries).Select(_ => { var q = new float[Dim]; Fill(rng, q); return q; }).ToArray();

            using var index = EmbeddingIndex.OpenOrCreate(dir, Dim);
            var build = Stopwatch.StartNew();
            for (int from = 0; from < rows; from += 10_000)
            {
                int n = Math.Min(10_000, rows - from);
                index.Add(Entries(from, n), Enumerable.Range(from, n).Select(i => flat.AsSpan(i * Dim, Dim).ToArray()).ToList());
            }
            double buildS = build.Elapsed.TotalSeconds;

            var first = Stopwatch.StartNew();
            index.Search(queries[^1], TopK);
            double firstMs = first.Elapsed.TotalMilliseconds;
            double single = MedianMs(q => index.Search(q, TopK, threads: 1), queries);
            double parallel = MedianMs(q => index.Search(q, TopK), queries);
            double floor = MedianMs(q => ScanFloor(flat, q), queries);

            var extra = Enumerable.Range(0, Churn).Select(_ => { var v = new float[Dim]; Fill(rng, v); return v; }).ToList();
            var sw = Stopwatch.StartNew();
            index.Add(Entries(rows, Churn), extra);
            double addMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            index.Search(queries[0], TopK);
            double firstAfterAdd = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            int removed = index.Remove(Entries(rows, Churn).Select(e => e.Path));
            double removeMs = sw.Elapsed.TotalMilliseconds;
            if (removed != Churn || index.Count != rows) throw new InvalidOperationException($"removed {removed}, count {index.Count}");

            return new BenchResult
            {
                Name = name,
                Description = $"embedding index {rows} x {Dim}, top-{TopK}, default threads",
                Value = parallel,
                Unit = "ms/query",
                MedianSeconds = parallel / 1000,
                PeakRssMiB = ProcessMemory.PeakRssMiB(),
                Details = new Dictionary<string, string>
                {
                    ["rows"] = Str(rows), ["dim"] = Str(Dim), ["queries"] = Str(Queries), ["top_k"] = Str(TopK),
                    ["build_s"] = Str(buildS),
                    ["first_search_in_process_ms"] = Str(firstMs),
                    ["search_ms_1_thread"] = Str(single),
                    ["search_ms_default"] = Str(parallel),
                    ["default_threads"] = Str(TopKScan.DefaultThreads((long)rows * Dim)),
                    ["managed_scan_floor_ms_1_thread"] = Str(floor),
                    ["add_1000_ms"] = Str(addMs),
                    ["first_search_after_add_ms"] = Str(firstAfterAdd),
                    ["remove_1000_ms"] = Str(removeMs),
                },
            };
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    // median per-query milliseconds after 20 warm-up queries (mapping the file, JIT tiering)
    private static double MedianMs(Action<float[]> search, float[][] queries)
    {
        for (int i = 0; i < 20; i++) search(queries[i % queries.Length]);
        var ms = new double[queries.Length];
        for (int i = 0; i < queries.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            search(queries[i]);
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return Timing.Median(ms);
    }

    // the dot products alone over a managed array, best score kept: the lower bound of a one-thread exact scan
    private static void ScanFloor(float[] flat, float[] q)
    {
        float best = float.NegativeInfinity;
        for (int i = 0; i < flat.Length / Dim; i++) best = Math.Max(best, TensorPrimitives.Dot(q, flat.AsSpan(i * Dim, Dim)));
        if (float.IsNaN(best)) throw new InvalidOperationException("NaN score");
    }

    private static List<IndexEntry> Entries(int from, int n) =>
        Enumerable.Range(from, n).Select(i => new IndexEntry($"/bench/img/{i:D7}.jpg", i, i)).ToList();

    private static void Fill(Random rng, Span<float> v)
    {
        for (int k = 0; k < v.Length; k++) v[k] = (float)(rng.NextDouble() * 2 - 1);
        float norm = TensorPrimitives.Norm(v);
        TensorPrimitives.Divide(v, norm, v);
    }

    private static string Str(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
