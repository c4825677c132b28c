using System.Text.Json.Nodes;
using ClipSharp.Data;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Evals;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Training.Runs;

/// <summary>
/// <c>results.json</c> of a finished run: one CLIP_benchmark-style entry per final evaluation ({dataset, model, task,
/// metrics}), plus the run's totals and the bad-sample summary.
/// </summary>
public static class RunResults
{
    /// <summary>Writes the file durably.</summary>
    public static void Write(string path, Recipe recipe, IReadOnlyList<EvalOutcome> evals, BadSampleReport bad, long steps, long samples, double seconds)
    {
        var results = new JsonArray();
        foreach (var e in evals)
        {
            var metrics = new JsonObject();
            foreach (var (k, v) in e.Metrics) metrics[k] = double.IsFinite(v) ? v : null;
            results.Add(new JsonObject
            {
                ["dataset"] = e.Name, ["model"] = recipe.Name, ["pretrained"] = recipe.Model,
                ["task"] = e.Kind == "retrieval" ? "zeroshot_retrieval" : "fine_grained_bags", ["metrics"] = metrics,
            });
        }
        var root = new JsonObject
        {
            ["run"] = recipe.Name, ["model"] = recipe.Model, ["task"] = recipe.Task.Kind, ["steps"] = steps,
            ["samples_seen"] = samples, ["train_seconds"] = Math.Round(seconds, 2), ["results"] = results,
            ["bad_samples"] = bad.ToJsonNode(),
        };
        CheckpointStore.WriteFileDurably(path, root.ToJsonString(new() { WriteIndented = true }));
    }
}
