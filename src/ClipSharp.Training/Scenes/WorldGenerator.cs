using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Data.Sources;

namespace ClipSharp.Scenes;

/// <summary>
/// Writes the whole dataset under <see cref="WorldGenerationOptions.OutputDir"/>:
/// <code>
/// train/train-000000.tar ...   webdataset: &lt;%08d&gt;.jpg, .txt (web alt-text), .json {org_caption, re_caption, scene}
/// eval/images/000000.jpg ...   + eval/dataset_eval.json (COCO Karpathy layout, 5 human captions per image)
/// bags/images/00000_00.jpg ... + bags/bags.json [{bag_id, attribute, target_object, images: [{file, caption, scene}]}]
/// vocab.txt                    WordPiece vocab in the CLIPS/BERT layout (WorldVocabulary)
/// manifest.json                counts, seed, config, file lists (no timings: byte-identical per seed)
/// </code>
/// Samples are rendered with Parallel.For, one <see cref="SceneRenderer"/> per worker; since each sample is a pure
/// function of (seed, split, index) and shards are written in index order, the bytes do not depend on the thread count.
/// </summary>
public static class WorldGenerator
{
    private static readonly JsonSerializerOptions Compact = SceneJson.Options;

    /// <summary>Generates everything and returns (and writes) the manifest.</summary>
    public static WorldManifest Generate(WorldGenerationOptions options, WorldConfig? config = null, Action<string>? log = null)
    {
        config ??= WorldConfig.Default;
        options.Validate();
        config.Validate();
        var threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var root = Path.GetFullPath(options.OutputDir);
        Directory.CreateDirectory(root);
        var samples = new WorldSamples(config, options.Seed);
        var clock = Stopwatch.StartNew();

        var shards = WriteTrain(root, options, samples, threads, log);
        var evals = new EvalSample[options.Eval];
        ForEach(0, options.Eval, threads, options, config, (i, renderer) => evals[i] = WorldEvalFiles.RenderEval(root, options, samples, i, renderer));
        var evalCaptions = WorldEvalFiles.WriteEval(root, options, evals);
        log?.Invoke($"eval: {options.Eval} images, {evalCaptions} captions, {options.Eval * config.HumanCaptionsPerImage} held-out-style captions");
        var bags = new FineGrainedBag[options.Bags];
        ForEach(0, options.Bags, threads, options, config, (k, renderer) => bags[k] = WorldEvalFiles.RenderBag(root, options, samples, k, renderer));
        var bagImages = WorldEvalFiles.WriteBags(root, options, bags);
        log?.Invoke($"bags: {options.Bags} bags, {bagImages} images");
        WorldOracle.Write(Path.Combine(root, WorldOracle.FileName), evals, bags);
        WorldVocabulary.Write(Path.Combine(root, "vocab.txt"));

        var seconds = clock.Elapsed.TotalSeconds;
        var images = options.Train + options.Eval + bagImages;
        log?.Invoke($"generated {images} images in {seconds:F2} s ({images / Math.Max(seconds, 1e-9):F0} images/s, {threads} threads)");
        var manifest = new WorldManifest(
            WorldManifest.CurrentFormat, options.Seed, options.ImageSize, options.Extension,
            options.Train, options.Eval, evalCaptions, options.Bags, bagImages, options.ShardSize,
            shards, WorldEvalFiles.EvalFile, WorldEvalFiles.BagsFile, "vocab.txt", WorldVocabulary.Tokens.Count,
            config, WorldEvalFiles.HeldOutEvalFile, WorldOracle.FileName);
        File.WriteAllText(Path.Combine(root, "manifest.json"),
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions(Compact) { WriteIndented = true }));
        return manifest;
    }

    private static ParallelOptions Parallelism(int threads) => new() { MaxDegreeOfParallelism = threads };

    // Runs body(i, renderer) for i in [from, to) on up to `threads` workers, one renderer each.
    internal static void ForEach(int from, int to, int threads, WorldGenerationOptions o, WorldConfig c, Action<int, SceneRenderer> body) =>
        Parallel.For(from, to, Parallelism(threads),
            () => new SceneRenderer(o.ImageSize, c.JpegQuality),
            (i, _, r) => { body(i, r); return r; },
            r => r.Dispose());

    private static List<string> WriteTrain(string root, WorldGenerationOptions o, WorldSamples samples, int threads, Action<string>? log)
    {
        var dir = Path.Combine(root, "train");
        Directory.CreateDirectory(dir);
        var shards = new List<string>();
        for (var start = 0; start < o.Train; start += o.ShardSize)
        {
            var end = Math.Min(o.Train, start + o.ShardSize);
            var images = new byte[end - start][];
            var texts = new byte[end - start][];
            var jsons = new byte[end - start][];
            ForEach(start, end, threads, o, samples.Config, (i, renderer) =>
            {
                var s = samples.Train(i);
                images[i - start] = renderer.Encode(s.Scene, o.Format);
                texts[i - start] = Encoding.UTF8.GetBytes(s.Web.Text);
                var json = new JsonObject
                {
                    ["org_caption"] = s.Web.Text,
                    ["re_caption"] = s.Recaption,
                    ["org_caption_kind"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(s.Web.Kind.ToString()),
                    ["org_caption_wrong_attribute"] = s.Web.WrongAttribute,
                    ["scene"] = SceneJson.ToNode(s.Scene),
                };
                jsons[i - start] = Encoding.UTF8.GetBytes(json.ToJsonString(Compact));
            });
            var name = $"train-{shards.Count:D6}.tar";
            using (var tar = new TarShardWriter(Path.Combine(dir, name)))
            {
                for (var i = start; i < end; i++)
                {
                    var key = i.ToString("D8");
                    tar.Add($"{key}.{o.Extension}", images[i - start]);
                    tar.Add($"{key}.txt", texts[i - start]);
                    tar.Add($"{key}.json", jsons[i - start]);
                }
                tar.Complete();
            }
            shards.Add("train/" + name);
            log?.Invoke($"train: {end}/{o.Train} samples, {name}");
        }
        RemoveSurplusShards(dir, shards, log);
        return shards;
    }

    // A world regenerated smaller into the same folder must not leave the larger world's later shards behind: a
    // trainer reading train/*.tar would silently mix them in. Only files named like this generator's shards go.
    private static void RemoveSurplusShards(string dir, List<string> written, Action<string>? log)
    {
        var keep = written.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.GetFiles(dir, "train-*.tar").Where(f => !keep.Contains(Path.GetFileName(f))))
        {
            File.Delete(stale);
            log?.Invoke($"train: removed {Path.GetFileName(stale)} left from an earlier, larger world");
        }
    }
}
