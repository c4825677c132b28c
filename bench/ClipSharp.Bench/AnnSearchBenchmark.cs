using System.Diagnostics;
using System.Globalization;
using ClipSharp.Inference;

namespace ClipSharp.Bench;

/// <summary>
/// The approximate (HNSW, USearch) side of <see cref="EmbeddingIndex"/>: N unit vectors (<see cref="AnnVectors"/>) in an exact
/// index (kept between runs under the temp folder, one per size and distribution, with the exact top-10 of 200 queries
/// as ground truth), then the graph is built with one scalar kind (build and save timed, graph file size, USearch's
/// memory, peak RSS), and the 200 queries are answered at several beam widths (ef): recall@10 against the exact
/// answer and the median ms per query, one query at a time on one thread. Also: reopening (checksum + load) and the
/// exact scan's one-thread time on the same rows. Distributions: "lowrank" (near a random 32-d subspace plus noise:
/// well-separated neighbours, as image embeddings have) and "uniform" (uniform on the sphere: every point nearly
/// equidistant, the worst case for a graph index), both 512-d, and "world": real embeddings of the built-in world
/// (image rows, caption queries) by the model in <see cref="AnnVectors.ModelVariable"/>, as wide as that model embeds.
/// </summary>
public static class AnnSearchBenchmark
{
    private const int TopK = 10, Queries = 200, DefaultEf = 128;
    private static readonly int[] Efs = [32, 64, 128, 256, 384, 512];

    /// <summary>One spec per size, scalar kind and distribution (none in the quick set: they build large graphs).</summary>
    public static IReadOnlyList<BenchSpec> Specs { get; } =
    [
        Spec(100_000, AnnScalar.F32, "lowrank"), Spec(100_000, AnnScalar.F16, "lowrank"), Spec(100_000, AnnScalar.I8, "lowrank"),
        Spec(100_000, AnnScalar.F16, "uniform"),
        Spec(1_000_000, AnnScalar.F16, "lowrank"), Spec(1_000_000, AnnScalar.I8, "lowrank"),
        Spec(1_000_000, AnnScalar.I8, "lowrank", expansionAdd: 64),   // half the build time: what a 2-core shared machine could run
        Spec(1_000_000, AnnScalar.I8, "lowrank", connectivity: 32),   // a denser graph: more recall per ef, a longer build
        Spec(100_000, AnnScalar.F16, "lowrank", projected: 64), Spec(1_000_000, AnnScalar.F16, "lowrank", projected: 64),   // the graph over 64 principal directions
        Spec(10_000_000, AnnScalar.F16, "lowrank", projected: 64),
        Spec(100_000, AnnScalar.F16, "world"), Spec(1_000_000, AnnScalar.F16, "world"),   // need CLIPSHARP_BENCH_ANN_MODEL
    ];

    private static BenchSpec Spec(int rows, AnnScalar scalar, string dist, int expansionAdd = 128, int connectivity = 16, int projected = 0)
    {
        var name = $"ann-{(rows >= 1_000_000 ? $"{rows / 1_000_000}m" : $"{rows / 1000}k")}-{scalar.ToString().ToLowerInvariant()}{(dist == "lowrank" ? "" : "-" + dist)}"
                   + (expansionAdd == 128 ? "" : $"-efadd{expansionAdd}") + (connectivity == 16 ? "" : $"-m{connectivity}") + (projected == 0 ? "" : $"-pca{projected}");
        var graph = new AnnOptions { Mode = AnnMode.On, Scalar = scalar, Connectivity = connectivity, ExpansionAdd = expansionAdd, ProjectedDim = projected };
        return new(name, $"HNSW search, {rows} {dist} unit vectors ({(dist == "world" ? "a world model's width" : "512-d")}), {scalar}, M {connectivity}, expansion_add {expansionAdd}{(projected == 0 ? "" : $", projected to {projected} dims")}, top-{TopK}, one thread", false, false,
            o => Run(name, rows, dist, graph, o));
    }

    /// <summary>Builds the graph over the cached exact index and measures it.</summary>
    public static BenchResult Run(string name, int rows, string dist, AnnOptions graph, BenchOptions o)
    {
        var vectors = AnnVectors.For(dist, rows);
        var dir = Path.Combine(Path.GetTempPath(), "clipsharp-bench-ann", vectors.Key);
        var (queries, truth, exactMs) = Dataset(dir, rows, vectors);
        bool reuse = Environment.GetEnvironmentVariable("CLIPSHARP_BENCH_ANN_REUSE") == "1";   // measure a graph saved by an earlier run (its build time is in that run's log)
        if (!reuse) foreach (var f in Directory.EnumerateFiles(dir, "ann*")) File.Delete(f);   // a fresh build for this kind
        double rssBefore = ProcessMemory.CurrentRssMiB() ?? 0;
        var built = Stopwatch.StartNew();
        double buildS = 0;
        var ann = graph with
        {
            ExpansionSearch = DefaultEf, Threads = o.EffectiveThreads,
            Progress = (done, total) =>
            {
                if (done == total) buildS = built.Elapsed.TotalSeconds;
                if (done % 65_536 < 16_384 || done == total) Console.Error.WriteLine($"[{name}] graph {done}/{total} rows at {built.Elapsed.TotalSeconds:F0} s");
            },
        };
        var details = new Dictionary<string, string>
        {
            ["rows"] = Str(rows), ["dim"] = Str(vectors.Dim), ["distribution"] = dist, ["scalar"] = graph.Scalar.ToString().ToLowerInvariant(), ["projected_dim"] = Str(graph.ProjectedDim),
            ["connectivity"] = Str(ann.Connectivity), ["expansion_add"] = Str(ann.ExpansionAdd), ["build_threads"] = Str(ann.Threads),
            ["queries"] = Str(Queries), ["top_k"] = Str(TopK), ["exact_ms_1_thread"] = Str(exactMs),
        };
        double defaultMs;
        using (var index = EmbeddingIndex.Open(dir, ann))
        {
            details["build_s"] = Str(buildS);
            details["build_and_save_s"] = Str(built.Elapsed.TotalSeconds);
            details["ann_memory_mib"] = Str(index.AnnMemoryBytes / 1048576.0);
            details["rss_growth_mib"] = Str((ProcessMemory.CurrentRssMiB() ?? 0) - rssBefore);
            details["graph_file_mib"] = Str(Directory.EnumerateFiles(dir, "ann-*.usearch").Sum(f => new FileInfo(f).Length) / 1048576.0);
            defaultMs = SweepEf(index, queries, truth, details);
        }
        var reopen = Stopwatch.StartNew();
        using (var index = EmbeddingIndex.Open(dir, ann)) details["reopen_s"] = Str(reopen.Elapsed.TotalSeconds);
        return new BenchResult
        {
            Name = name,
            Description = $"HNSW {rows} x {vectors.Dim} {dist}, {graph.Scalar}{(graph.ProjectedDim == 0 ? "" : $" on {graph.ProjectedDim} principal dims")}, top-{TopK}, ef {DefaultEf}, one thread",
            Value = defaultMs,
            Unit = "ms/query",
            MedianSeconds = defaultMs / 1000,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = details,
        };
    }

    // recall@10 and median ms per query at every ef; returns the ms at the default ef
    private static double SweepEf(EmbeddingIndex index, float[][] queries, int[][] truth, Dictionary<string, string> details)
    {
        var paths = index.Entries.Select(e => e.Path).ToList();
        double atDefault = 0;
        foreach (var ef in Efs)
        {
            index.SetAnnExpansionSearch(ef);
            for (int i = 0; i < 20; i++) index.Search(queries[i], TopK);
            var ms = new double[queries.Length];
            double recall = 0;
            for (int q = 0; q < queries.Length; q++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var hits = index.Search(queries[q], TopK);
                ms[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                var want = truth[q].Select(r => paths[r]).ToHashSet();
                recall += hits.Count(h => want.Contains(h.Path)) / (double)TopK;
            }
            double median = Timing.Median(ms);
            details[$"recall@10_ef{ef}"] = Str(recall / queries.Length);
            details[$"ms_ef{ef}"] = Str(median);
            if (ef == DefaultEf) atDefault = median;
        }
        return atDefault;
    }

    // the cached exact index of this source (made once), the queries and their exact top-10 rows
    private static (float[][] Queries, int[][] Truth, double ExactMs) Dataset(string dir, int rows, AnnVectors vectors)
    {
        var truthPath = Path.Combine(dir, "truth.txt");
        if (!File.Exists(Path.Combine(dir, "vectors.f32")) || !Complete(dir, rows))   // a killed run leaves fewer rows: made again
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            using var build = EmbeddingIndex.OpenOrCreate(dir, vectors.Dim, AnnOptions.Off);
            for (int from = 0; from < rows; from += 10_000)
            {
                int n = Math.Min(10_000, rows - from);
                build.Add(Enumerable.Range(from, n).Select(i => new IndexEntry($"/bench/img/{i:D8}.jpg", i, i)).ToList(), vectors.Rows(from, n).ToList());
                if ((from / 10_000) % 10 == 9) Console.Error.WriteLine($"[ann] exact index {vectors.Key}: {from + n}/{rows} rows");
            }
        }
        var queries = vectors.Queries(Queries);
        using var exact = EmbeddingIndex.Open(dir, AnnOptions.Off);
        if (!File.Exists(truthPath) || File.ReadAllLines(truthPath).Length != Queries)   // computed in full, then written (a killed run leaves none)
            File.WriteAllLines(truthPath, ExactTopK(exact, queries).Select(t => string.Join(' ', t)).ToList());
        var truth = File.ReadAllLines(truthPath).Select(l => l.Split(' ').Select(int.Parse).ToArray()).ToArray();
        var ms = new double[rows >= 5_000_000 ? 5 : 20];   // a 10M scan reads 20 GB: a few are enough
        for (int i = 0; i < ms.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            exact.SearchExact(queries[i], TopK, threads: 1);
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        return (queries, truth, Timing.Median(ms));
    }

    private static string Str(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static bool Complete(string dir, int rows)
    {
        try { using var index = EmbeddingIndex.Open(dir, AnnOptions.Off); return index.Count == rows; }
        catch (ClipSharp.Core.ClipSharpException) { return false; }
    }

    // The exact top-10 rows of every query in one pass over the rows (each row read once, as a 10M x 512 index does not
    // fit the page cache twice): per thread and query a small sorted list, merged at the end; ties by row, as the scan.
    private static int[][] ExactTopK(EmbeddingIndex exact, float[][] queries)
    {
        int n = exact.Count, threads = Environment.ProcessorCount;
        var partial = new (float Score, int Row)[threads][][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var best = queries.Select(_ => new List<(float Score, int Row)>(TopK + 1)).ToArray();
            for (int r = (int)((long)n * t / threads), end = (int)((long)n * (t + 1) / threads); r < end; r++)
            {
                var v = exact.Vector(r);
                for (int q = 0; q < queries.Length; q++)
                {
                    float score = System.Numerics.Tensors.TensorPrimitives.Dot(v, queries[q]);
                    var b = best[q];
                    if (b.Count == TopK && score <= b[^1].Score) continue;
                    int at = b.FindIndex(x => x.Score < score);
                    b.Insert(at < 0 ? b.Count : at, (score, r));
                    if (b.Count > TopK) b.RemoveAt(TopK);
                }
            }
            partial[t] = best.Select(b => b.ToArray()).ToArray();
        });
        return queries.Select((_, q) => partial.SelectMany(p => p[q]).OrderByDescending(x => x.Score).ThenBy(x => x.Row)
            .Take(TopK).Select(x => x.Row).ToArray()).ToArray();
    }
}
