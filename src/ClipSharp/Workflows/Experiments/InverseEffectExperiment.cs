using System.Text.Json.Nodes;
using ClipSharp.Training;
using ClipSharp.Scenes;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Workflows.Quickstart;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Workflows.Experiments;

/// <summary>Settings of the token-reduction ablation (spec §2.3, the paper's "inverse effect").</summary>
public sealed record InverseEffectOptions
{
    /// <summary>Output folder: world/ (reused from the quickstart layout when present), runs/, results.json.</summary>
    public string OutputDir { get; init; } = Path.Combine("runs", "inverse-effect");

    /// <summary>Strategies compared at every budget.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = ["truncation", "random", "block", "subcaption"];

    /// <summary>Token budgets K.</summary>
    public IReadOnlyList<int> Budgets { get; init; } = [16, 32, 64];

    /// <summary>Seeds per configuration (results are averaged).</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0, 1];

    /// <summary>Optimizer steps per run (the same budget for every run).</summary>
    public long Steps { get; init; } = 400;

    /// <summary>Extra recipe overrides for every run.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Progress lines.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>One configuration's mean retrieval metrics over seeds (fractions) and its gain over the full caption.</summary>
public sealed record InverseEffectRow(string Strategy, int? Budget, IReadOnlyDictionary<string, double> Metrics, double MeanRecall, double GainOverFull);

/// <summary>
/// The paper's token-length ablation on the built-in world: CLIP trained on the synthetic caption only, reduced by
/// each strategy to K tokens, against the full caption (context 128), every run with the same steps, batch and seeds;
/// scored by zero-shot retrieval on the eval set (mean of R@1/5/10 both ways, in points, and its gain over "full").
/// </summary>
public static class InverseEffectExperiment
{
    /// <summary>The model: the quickstart CLIP encoders with a 128-token text context, so the full caption fits.</summary>
    public const string Model = "quickstart-clip-long";

    public static IReadOnlyList<InverseEffectRow> Run(InverseEffectOptions o)
    {
        var outDir = Path.GetFullPath(o.OutputDir);
        var world = Path.Combine(outDir, "world");
        var manifest = WorldManifest.TryRead(world) ?? WorldGenerator.Generate(new WorldGenerationOptions(world), WorldConfig.Default, o.Log);
        string eval = Path.Combine(world, manifest.EvalFile);
        var configs = new List<(string Strategy, int? Budget)> { ("none", null) };
        foreach (var k in o.Budgets) foreach (var s in o.Strategies) configs.Add((s, k));
        var rows = new List<InverseEffectRow>();
        foreach (var (strategy, budget) in configs)
        {
            var perSeed = new List<IReadOnlyDictionary<string, double>>();
            foreach (var seed in o.Seeds)
            {
                string name = $"{strategy}{(budget is { } b ? $"-{b}" : "")}-seed{seed}";
                var recipe = RecipeReader.Read("quickstart-baseline",
                [
                    $"name=inverse-{name}", $"model={Model}", "task.caption=" + (strategy == "none" ? "synthetic" : "partial"),
                    $"task.reduction.strategy={strategy}", $"task.reduction.budget={budget?.ToString() ?? "null"}",
                    $"data.sources.0.path={Path.Combine(world, "train")}", $"tokenizer.vocab={Path.Combine(world, "vocab.txt")}",
                    $"schedule.total_steps={o.Steps}", $"schedule.warmup_steps={Math.Min(50, o.Steps / 10)}", $"seed={seed}",
                    $"checkpoint.every_steps={o.Steps}", "checkpoint.keep_last=1",
                    $"evals=[{{\"name\":\"{QuickstartRunner.RetrievalEval}\",\"kind\":\"retrieval\",\"path\":{JsonValue.Create(eval).ToJsonString()}}}]",
                    .. o.Overrides,
                ]);
                o.Log?.Invoke($"run {name} ({o.Steps} steps)");
                var result = Trainer.Run(new TrainOptions { Recipe = recipe, RunDirectory = Path.Combine(outDir, "runs", name) });
                perSeed.Add(result.FinalEvals.Single().Metrics);
            }
            var mean = perSeed[0].Keys.ToDictionary(k => k, k => perSeed.Average(m => m[k]));
            double meanRecall = 100 * mean.Where(kv => kv.Key.Contains("recall@", StringComparison.Ordinal)).Average(kv => kv.Value);
            rows.Add(new InverseEffectRow(strategy, budget, mean, meanRecall, 0));
            o.Log?.Invoke($"{strategy} K={budget?.ToString() ?? "full"}: mean recall {meanRecall:0.00}");
        }
        var full = rows[0].MeanRecall;
        rows = rows.Select(r => r with { GainOverFull = r.MeanRecall - full }).ToList();
        var json = new JsonObject
        {
            ["steps"] = o.Steps, ["seeds"] = new JsonArray(o.Seeds.Select(s => (JsonNode?)s).ToArray()), ["model"] = Model,
            ["rows"] = new JsonArray(rows.Select(r => (JsonNode?)new JsonObject
            {
                ["strategy"] = r.Strategy, ["budget"] = r.Budget, ["mean_recall"] = Math.Round(r.MeanRecall, 3),
                ["gain_over_full"] = Math.Round(r.GainOverFull, 3),
                ["metrics"] = new JsonObject(r.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 5)))),
            }).ToArray()),
        };
        CheckpointStore.WriteFileDurably(Path.Combine(outDir, "results.json"), json.ToJsonString(new() { WriteIndented = true }));
        return rows;
    }
}
