using System.Text.Json.Nodes;
using ClipSharp.Scenes;
using ClipSharp.Workflows.Quickstart;

namespace ClipSharp.Workflows.Experiments;

/// <summary>
/// The built-in world an experiment trains and evaluates on (OUT/world: reused when it holds a world, generated
/// otherwise), and the one place that decides which evaluations every experiment run gets (<see cref="Evals"/>).
/// </summary>
public static class ExperimentWorld
{
    /// <summary>Eval names: the world's eval set, its held-out caption set (when the world has one) and the bags.</summary>
    public const string RetrievalEval = QuickstartRunner.RetrievalEval, HeldoutEval = QuickstartRunner.HeldOutEval, BagEval = QuickstartRunner.BagEval;

    /// <summary>The held-out eval caption set, relative to the world folder (the generator's name for it); included
    /// when the file exists.</summary>
    public const string HeldoutFile = WorldEvalFiles.HeldOutEvalFile;

    /// <summary>The recall metrics averaged into <see cref="MeanRecallKey"/>: R@1/5/10, text→image and image→text.</summary>
    public static readonly string[] RecallKeys =
    [
        "image_retrieval_recall@1", "image_retrieval_recall@5", "image_retrieval_recall@10",
        "text_retrieval_recall@1", "text_retrieval_recall@5", "text_retrieval_recall@10",
    ];

    /// <summary>The derived metric every retrieval eval gets: the mean of <see cref="RecallKeys"/>, in points (0-100).</summary>
    public const string MeanRecallKey = "mean_recall";

    /// <summary>The world of --quick: 384 train images in 6 shards, 50 eval images, 16 bags, at the models' 64 px.</summary>
    public static WorldGenerationOptions QuickWorld(string dir) => new(dir, Train: 384, Eval: 50, Bags: 16, ShardSize: 64);

    /// <summary>Reuses the world in <paramref name="worldDir"/>, or generates the quickstart's (or, quick, a tiny) one there.</summary>
    public static WorldManifest Prepare(string worldDir, bool quick, Action<string>? log)
    {
        if (WorldManifest.TryRead(worldDir) is { } m)
        {
            log?.Invoke($"reusing the world in {worldDir} ({m.Train} train images, {m.Eval} eval images, {m.Bags} bags)");
            return m;
        }
        log?.Invoke($"generating the {(quick ? "tiny --quick" : "built-in")} world in {worldDir}");
        return WorldGenerator.Generate(quick ? QuickWorld(worldDir) : new WorldGenerationOptions(worldDir), WorldConfig.Default, log);
    }

    /// <summary>The recipe overrides that point a quickstart recipe's data and tokenizer at the world.</summary>
    public static IReadOnlyList<string> DataOverrides(string worldDir)
    {
        var m = WorldManifest.Read(worldDir);
        return [$"data.sources.0.path={Path.Combine(worldDir, "train")}", $"tokenizer.vocab={Path.Combine(worldDir, m.VocabFile)}"];
    }

    /// <summary>
    /// The evals of every experiment run, as recipe overrides: retrieval on the world's eval set, retrieval on its
    /// held-out caption set when <see cref="HeldoutFile"/> exists, and the fine-grained bags; all at the end of the run.
    /// </summary>
    public static IReadOnlyList<string> Evals(string worldDir)
    {
        var m = WorldManifest.Read(worldDir);
        var evals = new JsonArray { Eval(RetrievalEval, "retrieval", Path.Combine(worldDir, m.EvalFile)) };
        if (HeldOutPath(worldDir, m) is { } heldout) evals.Add(Eval(HeldoutEval, "retrieval", heldout));
        evals.Add(Eval(BagEval, "bags", Path.Combine(worldDir, m.BagsFile)));
        return ["evals=" + evals.ToJsonString()];
    }

    private static JsonObject Eval(string name, string kind, string path)
    {
        var e = new JsonObject { ["name"] = name, ["kind"] = kind, ["path"] = Path.GetFullPath(path), ["every_steps"] = 0 };
        if (kind == "retrieval") e["split"] = "test";
        return e;
    }

    /// <summary>The names of the retrieval evals <see cref="Evals"/> gives for this world, in order.</summary>
    public static IReadOnlyList<string> RetrievalEvals(string worldDir) =>
        HeldOutPath(worldDir, WorldManifest.Read(worldDir)) is not null ? [RetrievalEval, HeldoutEval] : [RetrievalEval];

    // The held-out caption file the manifest names (older manifests name none: the generator's name), if it exists.
    private static string? HeldOutPath(string worldDir, WorldManifest m)
    {
        var path = Path.Combine(worldDir, m.HeldOutEvalFile ?? HeldoutFile);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Mean of R@1/5/10 both ways in points, or NaN when a recall is missing (not a retrieval eval).</summary>
    public static double MeanRecall(IReadOnlyDictionary<string, double> metrics) =>
        RecallKeys.All(metrics.ContainsKey) ? 100 * RecallKeys.Average(k => metrics[k]) : double.NaN;
}
