using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Data.Images;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Scenes;
using ClipSharp.Serving;
using Microsoft.Extensions.Logging;

namespace ClipSharp.Bench;

/// <summary>
/// <c>clipsharp serve</c> under a bounded load: the quickstart's tiny CLIPS model (random weights: speed does not
/// depend on them) over an index of 200 world eval images, served in this process on loopback; 4 concurrent clients
/// send a fixed 400 text queries (the world's eval captions) and 200 image queries (multipart uploads of the indexed
/// PNGs), k = 10, after 20 warm-up requests, then the same load again. Reported: requests/s and p50/p99 latency per kind of the first round, errors (any
/// non-200, both rounds), the process's RSS and managed heap before and after each round. The clients share the machine with the server.
/// </summary>
public static class ServeLoadBenchmark
{
    private const int Images = 200, TextQueries = 400, ImageQueries = 200, Clients = 4, Warmup = 20;

    /// <summary>The catalog entry.</summary>
    public static BenchSpec Spec { get; } = new("serve-load", "clipsharp serve, 4 clients, 400 text + 200 image queries, tiny CLIPS model", false, false, Run);

    /// <summary>Builds the model, world and index, serves them and runs the load.</summary>
    public static BenchResult Run(BenchOptions o)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"clipsharp-bench-serve-{Guid.NewGuid():N}");
        try { return RunIn(dir).GetAwaiter().GetResult(); }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    private static async Task<BenchResult> RunIn(string dir)
    {
        var world = Path.Combine(dir, "world");
        WorldGenerator.Generate(new WorldGenerationOptions(world, Train: 0, Eval: Images, Bags: 6, Threads: 2));
        using var pipe = ClipPipeline.Load(TinyModel(Path.Combine(dir, "model")));
        var images = Path.Combine(world, "eval");
        var indexDir = Path.Combine(dir, "index");
        IndexBuilder.Update(pipe, images, indexDir);
        var files = Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories)
            .Where(f => IndexBuilder.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        var captions = CaptionsOf(world).Take(TextQueries).ToList();
        while (captions.Count < TextQueries) captions.Add($"a red circle number {captions.Count}");
        using var index = EmbeddingIndex.Open(indexDir);
        await using var app = ServingApp.Build(new ServeOptions { IndexDirectory = indexDir, Urls = "http://127.0.0.1:0" }, pipe, index, LogLevel.None);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

        var work = captions.Select(c => (Text: c, Image: (byte[]?)null))
            .Concat(files.Take(ImageQueries).Select(f => (Text: "", Image: (byte[]?)File.ReadAllBytes(f)))).ToList();
        work = work.OrderBy(w => new Random(w.Text.Length * 31 + (w.Image?.Length ?? 0)).Next()).ToList();   // kinds interleaved, fixed order
        foreach (var w in work.Take(Warmup)) await Send(http, w.Text, w.Image);
        GC.Collect();
        double rssBefore = ProcessMemory.CurrentRssMiB() ?? 0, heapBefore = GC.GetTotalMemory(true) / 1048576.0;

        int errorsLater = 0;
        var (latencies, seconds) = await Round(http, work);
        GC.Collect();
        double rssAfter = ProcessMemory.CurrentRssMiB() ?? 0, heapAfter = GC.GetTotalMemory(true) / 1048576.0;
        var (again, seconds2) = await Round(http, work);   // the same load once more: memory should stay where it was
        GC.Collect();
        double rssAfter2 = ProcessMemory.CurrentRssMiB() ?? 0, heapAfter2 = GC.GetTotalMemory(true) / 1048576.0;
        var (rssByRound, heapByRound) = (new List<double> { rssBefore, rssAfter, rssAfter2 }, new List<double> { heapBefore, heapAfter, heapAfter2 });
        for (int r = 2; r < Rounds(); r++)   // a longer soak on request: does RSS settle or keep growing?
        {
            var (more, _) = await Round(http, work);
            errorsLater += more.Count(l => !l.Ok);
            GC.Collect();
            rssByRound.Add(ProcessMemory.CurrentRssMiB() ?? 0);
            heapByRound.Add(GC.GetTotalMemory(true) / 1048576.0);
        }
        await app.StopAsync();

        if (latencies.Count(l => l.Image) != ImageQueries) throw new InvalidOperationException($"{latencies.Count(l => l.Image)} image queries ran, not {ImageQueries}.");
        var text = latencies.Where(l => !l.Image).Select(l => l.Ms).Order().ToArray();
        var img = latencies.Where(l => l.Image).Select(l => l.Ms).Order().ToArray();
        int errors = latencies.Count(l => !l.Ok) + again.Count(l => !l.Ok) + errorsLater;   // every round
        return new BenchResult
        {
            Name = "serve-load",
            Description = $"clipsharp serve on loopback, {Clients} clients, {TextQueries} text + {ImageQueries} image queries, k=10, quickstart-clips (64 px), {Images} items",
            Value = latencies.Count / seconds,
            Unit = "requests/s",
            MedianSeconds = Percentile(text, 0.5) / 1000,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string>
            {
                ["requests"] = S(latencies.Count + again.Count), ["clients"] = S(Clients), ["items"] = S(index.Count), ["errors"] = S(errors),
                ["wall_s"] = S(seconds),
                ["text_p50_ms"] = S(Percentile(text, 0.5)), ["text_p99_ms"] = S(Percentile(text, 0.99)),
                ["image_p50_ms"] = S(Percentile(img, 0.5)), ["image_p99_ms"] = S(Percentile(img, 0.99)),
                ["text_requests_per_s"] = S(text.Length / seconds), ["image_requests_per_s"] = S(img.Length / seconds),
                ["rss_before_mib"] = S(rssBefore), ["rss_after_mib"] = S(rssAfter),
                ["managed_heap_before_mib"] = S(heapBefore), ["managed_heap_after_mib"] = S(heapAfter),
                ["second_round_requests_per_s"] = S(again.Count / seconds2),
                ["rss_after_second_round_mib"] = S(rssAfter2), ["managed_heap_after_second_round_mib"] = S(heapAfter2),
                ["rounds"] = S(rssByRound.Count - 1),
                ["rss_by_round_mib"] = string.Join(" ", rssByRound.Select(v => v.ToString("F1", CultureInfo.InvariantCulture))),
                ["managed_heap_by_round_mib"] = string.Join(" ", heapByRound.Select(v => v.ToString("F2", CultureInfo.InvariantCulture))),
                ["malloc_arena_max"] = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "unset",
            },
        };
    }

    // rounds in all (CLIPSHARP_BENCH_SERVE_ROUNDS, default 2: the load and the same load again)
    private static int Rounds() =>
        int.TryParse(Environment.GetEnvironmentVariable("CLIPSHARP_BENCH_SERVE_ROUNDS"), out var n) && n > 2 ? n : 2;

    // every request of `work` once, from Clients concurrent clients: (kind, latency, ok) per request, and the wall time
    private static async Task<(List<(bool Image, double Ms, bool Ok)>, double Seconds)> Round(HttpClient http, List<(string Text, byte[]? Image)> work)
    {
        var latencies = new List<(bool Image, double Ms, bool Ok)>();
        int next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (int i = Interlocked.Increment(ref next); i < work.Count; i = Interlocked.Increment(ref next))
            {
                var sw = Stopwatch.StartNew();
                bool ok = await Send(http, work[i].Text, work[i].Image);
                lock (latencies) latencies.Add((work[i].Image is not null, sw.Elapsed.TotalMilliseconds, ok));
            }
        })));
        return (latencies, wall.Elapsed.TotalSeconds);
    }

    private static async Task<bool> Send(HttpClient http, string text, byte[]? image)
    {
        HttpContent body = image is null
            ? new StringContent($"{{\"text\": {System.Text.Json.JsonSerializer.Serialize(text)}, \"k\": 10}}", Encoding.UTF8, "application/json")
            : new MultipartFormDataContent { { new ByteArrayContent(image), "image", "q.png" }, { new StringContent("10"), "k" } };
        using (body)
        using (var res = await http.PostAsync("/search", body))
        {
            await res.Content.ReadAsByteArrayAsync();
            return res.IsSuccessStatusCode;
        }
    }

    // a run directory of the quickstart's CLIPS architecture with seeded random weights and the world vocabulary
    private static string TinyModel(string dir)
    {
        Directory.CreateDirectory(dir);
        var cfg = ModelFactory.LoadConfig("quickstart-clips");
        TorchSharp.torch.manual_seed(7);
        using var model = ModelFactory.Create(cfg.Model);
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"),
            $"{{\"model_cfg\": {File.ReadAllText(cfg.Path)}, \"preprocess_cfg\": {PreprocessConfig.Clips(cfg.Model.Vision.ImageSize).ToJson()}}}");
        SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), model.state_dict());
        WorldVocabulary.Write(Path.Combine(dir, "vocab.txt"));
        return dir;
    }

    // the eval captions (Karpathy JSON: images[].sentences[].raw)
    private static IEnumerable<string> CaptionsOf(string world) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(world, WorldEvalFiles.EvalFile)))!["images"]!.AsArray()
            .SelectMany(i => i!["sentences"]!.AsArray().Select(s => s!["raw"]!.GetValue<string>()));

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string S(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
