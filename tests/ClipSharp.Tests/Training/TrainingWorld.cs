using System.Text.Json.Nodes;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Tests.Training;

/// <summary>
/// A tiny built-in world (256 train samples in 4 shards at 32 px, 20 eval images, 4 bags) and tiny model configs,
/// generated once per test run, plus recipe files pointing at them.
/// </summary>
public static class TrainingWorld
{
    private static readonly Lazy<string> _root = new(() =>
    {
        var dir = TestPaths.NewTempDir("train-world");
        WorldGenerator.Generate(new WorldGenerationOptions(Path.Combine(dir, "world"), Train: 256, Eval: 20, Bags: 4, ImageSize: 32, Threads: 2, ShardSize: 64));
        File.WriteAllText(Path.Combine(dir, "tiny-clips.json"), ModelJson(decoder: true));
        File.WriteAllText(Path.Combine(dir, "tiny-clip.json"), ModelJson(decoder: false));
        File.WriteAllText(Path.Combine(dir, TinyResNetClips), ModelJson(decoder: true).Replace(ViTVision, ResNetVision));
        return dir;
    });

    /// <summary>The folder holding world/ and the model configs.</summary>
    public static string Root => _root.Value;

    /// <summary>The world folder.</summary>
    public static string World => Path.Combine(Root, "world");

    /// <summary>File name (under <see cref="Root"/>) of the tiny CLIPS config with a ModifiedResNet image tower (BatchNorm state).</summary>
    public const string TinyResNetClips = "tiny-clips-rn.json";

    private const string ViTVision = "{\"image_size\": 32, \"layers\": 1, \"width\": 32, \"head_width\": 16, \"patch_size\": 8, " +
        "\"no_ln_pre\": true, \"pool_type\": \"avg\", \"final_ln_after_pool\": true, \"norm_kwargs\": {\"eps\": 1e-06}}";
    private const string ResNetVision = "{\"image_size\": 32, \"layers\": [1, 1, 1, 1], \"width\": 8, \"head_width\": 32, \"patch_size\": null}";

    private static string ModelJson(bool decoder) =>
        "{\"embed_dim\": 32, \"vision_cfg\": " + ViTVision + ", " +
        "\"text_cfg\": {\"context_length\": 24, \"vocab_size\": 512, \"hf_tokenizer_name\": \"bert-base-uncased\", \"width\": 32, \"heads\": 2, " +
        "\"layers\": 1, \"pool_type\": \"last\", \"no_causal_mask\": true, \"norm_kwargs\": {\"eps\": 1e-06}}" +
        (decoder ? ", \"decoder_cfg\": {\"width\": 32, \"layers\": 1, \"heads\": 2, \"num_learnable_tokens\": 16, \"output_length\": 16}}" : "}");

    /// <summary>A recipe JSON for the tiny world; <paramref name="edit"/> may change anything.</summary>
    public static string RecipeText(string kind = "clips", long steps = 6, int batch = 16, Action<JsonObject>? edit = null)
    {
        var r = new JsonObject
        {
            ["name"] = $"tiny-{kind}",
            ["model"] = Path.Combine(Root, kind is "clips" ? "tiny-clips.json" : "tiny-clip.json"),
            ["task"] = new JsonObject { ["kind"] = kind, ["caption"] = "partial", ["reduction"] = new JsonObject { ["strategy"] = "subcaption", ["budget"] = 16 } },
            ["tokenizer"] = new JsonObject { ["vocab"] = Path.Combine(World, "vocab.txt") },
            ["data"] = new JsonObject
            {
                ["sources"] = new JsonArray(new JsonObject { ["type"] = "wds", ["path"] = Path.Combine(World, "train") }),
                ["workers"] = 2, ["shuffle_buffer"] = 64, ["augment"] = "default",
            },
            ["optim"] = new JsonObject { ["lr"] = 1e-3, ["grad_clip_norm"] = 1.0 },
            ["schedule"] = new JsonObject { ["kind"] = "cosine", ["total_steps"] = steps, ["warmup_steps"] = 2 },
            ["batch_size"] = batch,
            ["checkpoint"] = new JsonObject { ["every_steps"] = 2, ["keep_last"] = 3 },
            ["log_every_steps"] = 1,
            ["seed"] = 7,
        };
        edit?.Invoke(r);
        return r.ToJsonString();
    }

    /// <summary>Writes <see cref="RecipeText"/> to a file and returns its path.</summary>
    public static string RecipeFile(string dir, string kind = "clips", long steps = 6, int batch = 16, Action<JsonObject>? edit = null)
    {
        var path = Path.Combine(dir, $"recipe-{kind}.jsonc");
        File.WriteAllText(path, "// test recipe\n" + RecipeText(kind, steps, batch, edit));
        return path;
    }

    /// <summary>Reads a recipe written by <see cref="RecipeFile"/>.</summary>
    public static Recipe Recipe(string kind = "clips", long steps = 6, int batch = 16, Action<JsonObject>? edit = null) =>
        RecipeReader.Parse(RecipeText(kind, steps, batch, edit), "test recipe");
}
