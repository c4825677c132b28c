using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Training;
using ClipSharp.Scenes;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Evals;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Workflows.Quickstart;

/// <summary>What the quickstart does (the README's first command).</summary>
public sealed record QuickstartOptions
{
    /// <summary>Output folder: world/, clips/, baseline/, results.json, report.html.</summary>
    public string OutputDir { get; init; } = Path.Combine("runs", "quickstart");

    /// <summary>Also train the web-caption CLIP baseline with the same budget.</summary>
    public bool Baseline { get; init; } = true;

    /// <summary>The long budget: <see cref="QuickstartRunner.LongOverrides"/> (applied before <see cref="Overrides"/>) on a world of
    /// <see cref="QuickstartRunner.LongWorldTrain"/> samples, with the ResNet tower unless <see cref="Tower"/> names one.</summary>
    public bool Long { get; init; }

    /// <summary>The image tower of both models: the recipes' ViT, or OpenCLIP's ModifiedResNet (<see cref="QuickstartRunner.ResNetModels"/>);
    /// null: the ViT, or the ResNet under <see cref="Long"/> (<see cref="QuickstartPlan.For"/>).</summary>
    public QuickstartTower? Tower { get; init; }

    /// <summary>Recipe overrides applied to both runs (e.g. "schedule.total_steps=100").</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>World seed.</summary>
    public long WorldSeed { get; init; }

    /// <summary>Receives progress (per run label).</summary>
    public Func<string, ITrainingObserver?>? Observer { get; init; }

    /// <summary>Receives notices.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>The quickstart models' image tower.</summary>
public enum QuickstartTower
{
    /// <summary>The recipes' models: CLIPS-style ViTs (64 px, 8-px patches).</summary>
    Vit,
    /// <summary>OpenCLIP's ModifiedResNet [1, 1, 1, 1], width 16 (<see cref="QuickstartRunner.ResNetModels"/>).</summary>
    ResNet,
}

/// <summary>One trained model's final metrics.</summary>
public sealed record QuickstartModel(string Label, string Recipe, string RunDirectory, double TrainSeconds, IReadOnlyList<EvalOutcome> Evals)
{
    /// <summary>A metric of an eval, or NaN.</summary>
    public double Metric(string eval, string key) =>
        Evals.FirstOrDefault(e => e.Name == eval)?.Metrics.TryGetValue(key, out var v) == true ? v : double.NaN;
}

/// <summary>The quickstart's outcome: the models, chance levels and oracle ceilings (keyed "eval/metric"), timings.</summary>
public sealed record QuickstartResult(string OutputDir, IReadOnlyList<QuickstartModel> Models, IReadOnlyDictionary<string, double> Chance,
    IReadOnlyDictionary<string, double> Oracle, double WorldSeconds, double TotalSeconds);

/// <summary>
/// Generates the built-in world (reused when its folder already holds the same seed), trains recipe "quickstart"
/// (CLIPS) and, unless disabled, "quickstart-baseline" (CLIP on web captions) with the same steps and batch, and writes
/// OUT/results.json with every model's metrics and the chance levels.
/// </summary>
public static class QuickstartRunner
{
    /// <summary>Eval names used by the quickstart recipes.</summary>
    public const string RetrievalEval = "world-eval", HeldOutEval = "world-eval-heldout", BagEval = "world-bags";

    /// <summary>What `quickstart --long` changes in both recipes: 15,000 steps of batch 128 (18.75× the default's samples),
    /// lr 7e-4, warmup 400, evaluations and checkpoints every 2500 steps; it trains on a world of <see cref="LongWorldTrain"/>
    /// samples, so each image is seen 1.5 times. Batch 128 for half the steps matched batch 64 at the same samples; 15,000
    /// steps reach what 10,000 did not (docs/world-and-ablations.md, sessions 15 and 16).</summary>
    public static readonly IReadOnlyList<string> LongOverrides =
    [
        "schedule.total_steps=15000", "schedule.warmup_steps=400", "batch_size=128", "optim.lr=7e-4", "checkpoint.every_steps=2500",
        "evals.0.every_steps=2500", "evals.1.every_steps=2500", "evals.2.every_steps=2500",
    ];

    /// <summary>Training samples of the world `quickstart --long` generates into OUT/world-long: two thirds of 15,000 steps ×
    /// 128, so every image is seen 1.5 times (about 8 minutes and 7 GB). Measured figures: docs/world-and-ablations.md (one seed).</summary>
    public const int LongWorldTrain = 1_280_000;

    /// <summary>The model configs `--tower resnet` trains, by recipe: the same text tower and captioner with a
    /// ModifiedResNet [1, 1, 1, 1] of width 16 as the image tower (docs/world-and-ablations.md, "A convolutional tower").</summary>
    public static readonly IReadOnlyDictionary<string, string> ResNetModels = new Dictionary<string, string>
    {
        ["quickstart"] = "quickstart-clips-rn", ["quickstart-baseline"] = "quickstart-clip-rn",
    };

    /// <summary>A value of a chance/oracle dictionary by eval and metric, or NaN.</summary>
    public static double Lookup(IReadOnlyDictionary<string, double> d, string eval, string key) =>
        d.TryGetValue($"{eval}/{key}", out var v) ? v : double.NaN;

    /// <summary>Generates the world, trains and evaluates the models the options name, writes results and report.</summary>
    public static QuickstartResult Run(QuickstartOptions o)
    {
        var total = Stopwatch.StartNew();
        var outDir = Path.GetFullPath(o.OutputDir);
        var plan = QuickstartPlan.For(o);
        var world = Path.Combine(outDir, plan.WorldFolder);
        var manifest = WorldOrGenerate(world, o.WorldSeed, plan.WorldTrain, o.Log);
        double worldSeconds = total.Elapsed.TotalSeconds;
        string[] paths =
        [
            $"data.sources.0.path={Path.Combine(world, "train")}", $"tokenizer.vocab={Path.Combine(world, manifest.VocabFile)}",
            $"evals.0.path={Path.Combine(world, manifest.EvalFile)}", $"evals.1.path={Path.Combine(world, manifest.BagsFile)}",
            $"evals.2.path={Path.Combine(world, manifest.HeldOutEvalFile ?? WorldEvalFiles.HeldOutEvalFile)}",
        ];
        var runs = new List<(string Label, string Recipe, string Dir)> { ("CLIPS", "quickstart", "clips") };
        if (o.Baseline) runs.Add(("CLIP-web", "quickstart-baseline", "baseline"));
        var models = new List<QuickstartModel>();
        foreach (var (label, recipeName, dir) in runs)
        {
            string[] tower = plan.Tower == QuickstartTower.ResNet ? [$"model={ResNetModels[recipeName]}"] : [];
            var recipe = RecipeReader.Read(recipeName, paths.Concat(tower).Concat(plan.Overrides));
            var result = Trainer.Run(new TrainOptions { Recipe = recipe, RunDirectory = Path.Combine(outDir, dir), Observer = o.Observer?.Invoke(label) });
            models.Add(new QuickstartModel(label, recipeName, result.RunDirectory, result.Seconds, result.FinalEvals));
        }
        var r = new QuickstartResult(outDir, models, Chance(manifest, models), Oracle(world, manifest), worldSeconds, total.Elapsed.TotalSeconds);
        Write(Path.Combine(outDir, "results.json"), r);
        return r;
    }

    // A world already in the plan's folder with the same seed is reused, whatever its size (each size has its own
    // folder; tests link a tiny world here); the log says how large it is.
    private static WorldManifest WorldOrGenerate(string world, long seed, int train, Action<string>? log)
    {
        if (WorldManifest.TryRead(world) is { } m && m.Seed == seed)
        {
            log?.Invoke($"reusing the world in {world} ({m.Train} training samples)");
            return m;
        }
        log?.Invoke($"generating the built-in world ({train} training samples) in {world}");
        return WorldGenerator.Generate(new WorldGenerationOptions(world, Train: train, Seed: seed), WorldConfig.Default, log);
    }

    // Chance levels of the quickstart metrics: text->image R@K = K/N images; image->text R@K = P(one of an image's
    // c captions in K random draws from M) = 1 - C(M-c, K)/C(M, K); bags: mean 1/bag size (the evaluator reports it,
    // per attribute too). Both caption styles have the same images and caption counts.
    private static Dictionary<string, double> Chance(WorldManifest m, IReadOnlyList<QuickstartModel> models)
    {
        var d = new Dictionary<string, double>();
        int n = m.Eval, c = m.Eval == 0 ? 0 : m.EvalCaptions / m.Eval, total = m.EvalCaptions;
        foreach (var k in new[] { 1, 5, 10 })
        {
            double miss = 1;
            for (int i = 0; i < k; i++) miss *= (double)(total - c - i) / (total - i);
            foreach (var eval in new[] { RetrievalEval, HeldOutEval })
            {
                d[$"{eval}/image_retrieval_recall@{k}"] = n == 0 ? 0 : Math.Min(1, (double)k / n);
                d[$"{eval}/text_retrieval_recall@{k}"] = 1 - miss;
            }
        }
        var bags = models.SelectMany(x => x.Evals).FirstOrDefault(e => e.Name == BagEval);
        foreach (var (key, v) in bags?.Metrics ?? new Dictionary<string, double>())
        {
            if (!key.EndsWith("chance", StringComparison.Ordinal)) continue;
            var prefix = key[..^"chance".Length];
            foreach (var metric in new[] { "text_to_image_acc", "image_to_text_acc", "caption_self_retrieval_acc" }) d[$"{BagEval}/{prefix}{metric}"] = v;
        }
        return d;
    }

    // The world's oracle.json mapped to the quickstart's eval names; a perfect caption picks its image in a bag
    // as well as the reference caption does, so caption->I shares the text->image ceiling.
    private static Dictionary<string, double> Oracle(string world, WorldManifest m)
    {
        var d = new Dictionary<string, double>();
        var oracle = WorldOracle.Read(world);
        foreach (var (eval, file) in new[] { (RetrievalEval, m.EvalFile), (HeldOutEval, m.HeldOutEvalFile), (BagEval, m.BagsFile) })
            foreach (var (key, v) in file is not null && oracle.TryGetValue(file, out var ceilings) ? ceilings : new Dictionary<string, double>())
            {
                d[$"{eval}/{key}"] = v;
                if (eval == BagEval && key.EndsWith("text_to_image_acc", StringComparison.Ordinal))
                    d[$"{eval}/{key[..^"text_to_image_acc".Length]}caption_self_retrieval_acc"] = v;
            }
        return d;
    }

    private static void Write(string path, QuickstartResult r)
    {
        var models = new JsonArray();
        foreach (var m in r.Models)
        {
            var evals = new JsonArray();
            foreach (var e in m.Evals)
                evals.Add(new JsonObject
                {
                    ["dataset"] = e.Name, ["model"] = m.Label, ["task"] = e.Kind == "retrieval" ? "zeroshot_retrieval" : "fine_grained_bags",
                    ["metrics"] = new JsonObject(e.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? kv.Value : null)))),
                });
            models.Add(new JsonObject
            {
                ["label"] = m.Label, ["recipe"] = m.Recipe, ["run_directory"] = m.RunDirectory,
                ["train_seconds"] = Math.Round(m.TrainSeconds, 1), ["results"] = evals,
            });
        }
        var root = new JsonObject
        {
            ["models"] = models,
            ["chance"] = Numbers(r.Chance),
            ["oracle"] = Numbers(r.Oracle),
            ["world_seconds"] = Math.Round(r.WorldSeconds, 1), ["total_seconds"] = Math.Round(r.TotalSeconds, 1),
        };
        CheckpointStore.WriteFileDurably(path, root.ToJsonString(new() { WriteIndented = true }));
    }

    private static JsonObject Numbers(IReadOnlyDictionary<string, double> d) =>
        new(d.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(double.IsFinite(kv.Value) ? Math.Round(kv.Value, 6) : null))));
}
