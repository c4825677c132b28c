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
        var evalCaptions = WriteEval(root, options, samples, threads);
        log?.Invoke($"eval: {options.Eval} images, {evalCaptions} captions");
        var bagImages = WriteBags(root, options, samples, threads);
        log?.Invoke($"bags: {options.Bags} bags, {bagImages} images");
        WorldVocabulary.Write(Path.Combine(root, "vocab.txt"));

        var seconds = clock.Elapsed.TotalSeconds;
        var images = options.Train + options.Eval + bagImages;
        log?.Invoke($"generated {images} images in {seconds:F2} s ({images / Math.Max(seconds, 1e-9):F0} images/s, {threads} threads)");
        var manifest = new WorldManifest(
            WorldManifest.CurrentFormat, options.Seed, options.ImageSize, options.Extension,
            options.Train, options.Eval, evalCaptions, options.Bags, bagImages, options.ShardSize,
            shards, "eval/dataset_eval.json", "bags/bags.json", "vocab.txt", WorldVocabulary.Tokens.Count,
            config);
        File.WriteAllText(Path.Combine(root, "manifest.json"),
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions(Compact) { WriteIndented = true }));
        return manifest;
    }

    private static ParallelOptions Parallelism(int threads) => new() { MaxDegreeOfParallelism = threads };

    // Runs body(i, renderer) for i in [from, to) on up to `threads` workers, one renderer each.
    private static void ForEach(int from, int to, int threads, WorldGenerationOptions o, WorldConfig c, Action<int, SceneRenderer> body) =>
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
        return shards;
    }

    private static int WriteEval(string root, WorldGenerationOptions o, WorldSamples samples, int threads)
    {
        var dir = Path.Combine(root, "eval");
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        var evals = new EvalSample[o.Eval];
        ForEach(0, o.Eval, threads, o, samples.Config, (i, renderer) =>
        {
            evals[i] = samples.Eval(i);
            File.WriteAllBytes(Path.Combine(dir, "images", $"{i:D6}.{o.Extension}"), renderer.Encode(evals[i].Scene, o.Format));
        });
        var images = new JsonArray();
        var sentId = 0;
        for (var i = 0; i < evals.Length; i++)
        {
            var sentences = new JsonArray();
            var ids = new JsonArray();
            foreach (var raw in evals[i].Captions)
            {
                ids.Add(sentId);
                sentences.Add(new JsonObject
                {
                    ["raw"] = raw,
                    ["tokens"] = new JsonArray(CaptionText.KarpathyTokens(raw).Select(t => (JsonNode)t).ToArray()),
                    ["imgid"] = i,
                    ["sentid"] = sentId++,
                });
            }
            images.Add(new JsonObject
            {
                ["filepath"] = "images",
                ["filename"] = $"{i:D6}.{o.Extension}",
                ["imgid"] = i,
                ["split"] = "test",
                ["sentids"] = ids,
                ["sentences"] = sentences,
                ["scene"] = SceneJson.ToNode(evals[i].Scene),
            });
        }
        var doc = new JsonObject { ["dataset"] = "clipsharp-scenes", ["images"] = images };
        File.WriteAllText(Path.Combine(dir, "dataset_eval.json"), doc.ToJsonString(Compact));
        return sentId;
    }

    private static int WriteBags(string root, WorldGenerationOptions o, WorldSamples samples, int threads)
    {
        var dir = Path.Combine(root, "bags");
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        var bags = new JsonObject[o.Bags];
        var counts = new int[o.Bags];
        ForEach(0, o.Bags, threads, o, samples.Config, (k, renderer) =>
        {
            var bag = samples.Bag(k);
            var images = new JsonArray();
            for (var j = 0; j < bag.Images.Count; j++)
            {
                var file = $"images/{k:D5}_{j:D2}.{o.Extension}";
                File.WriteAllBytes(Path.Combine(dir, file), renderer.Encode(bag.Images[j].Scene, o.Format));
                images.Add(new JsonObject
                {
                    ["file"] = file,
                    ["caption"] = bag.Images[j].Caption,
                    ["scene"] = SceneJson.ToNode(bag.Images[j].Scene),
                });
            }
            counts[k] = bag.Images.Count;
            bags[k] = new JsonObject
            {
                ["bag_id"] = bag.BagId,
                ["attribute"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(bag.Attribute.ToString()),
                ["target_object"] = bag.TargetObject,
                ["images"] = images,
            };
        });
        File.WriteAllText(Path.Combine(dir, "bags.json"), new JsonArray(bags.Select(b => (JsonNode)b).ToArray()).ToJsonString(Compact));
        return counts.Sum();
    }
}
