using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;

namespace ClipSharp.Workflows.Experiments;

/// <summary>
/// Whether an experiment's run folder can be reused: its recipe.json must equal the recipe about to run (compared as
/// JSON), and then a folder with results.json and the final weights is finished (its metrics are read back) while one
/// without is unfinished (the run resumes from its last checkpoint, or starts again when it has none).
/// </summary>
public static class RunReuse
{
    /// <summary>What a run folder holds.</summary>
    public enum State
    {
        /// <summary>No run there yet.</summary>
        Empty,
        /// <summary>A run that stopped before its last step (resumable).</summary>
        Unfinished,
        /// <summary>A complete run (reused as it is).</summary>
        Finished,
    }

    /// <summary>A finished run's final metrics per eval (as results.json has them; null values become NaN) and its training time.</summary>
    public sealed record Finished(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics, double Seconds);

    /// <summary>The folder's state for <paramref name="recipe"/>; a folder holding another recipe is an error naming the keys that differ.</summary>
    public static State Check(string runDir, Recipe recipe)
    {
        var run = new RunDirectory(runDir);
        if (!File.Exists(run.RecipePath)) return State.Empty;
        var before = JsonNode.Parse(File.ReadAllText(run.RecipePath)) as JsonObject;
        var now = (JsonObject)JsonNode.Parse(RecipeReader.ToJson(recipe))!;
        if (before is null || !JsonNode.DeepEquals(before, now))
        {
            var keys = before is null ? ["(unreadable)"] : now.Select(kv => kv.Key).Union(before.Select(kv => kv.Key))
                .Where(k => !JsonNode.DeepEquals(now[k], before[k])).ToList();
            throw new ClipSharpException($"{runDir} holds a run of another recipe (differs in: {string.Join(", ", keys)}); " +
                                         "remove that folder or give the experiment another --out.");
        }
        return File.Exists(run.ResultsPath) && File.Exists(run.ModelPath) ? State.Finished : State.Unfinished;
    }

    /// <summary>Reads a finished run's results.json; null when it cannot be read.</summary>
    public static Finished? Load(string runDir)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(new RunDirectory(runDir).ResultsPath)) is not JsonObject root || root["results"] is not JsonArray results) return null;
            var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>();
            foreach (var r in results)
            {
                if (r?["dataset"]?.GetValue<string>() is not { } name || r["metrics"] is not JsonObject m) return null;
                metrics[name] = m.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<double>() ?? double.NaN);
            }
            return new Finished(metrics, root["train_seconds"]?.GetValue<double>() ?? double.NaN);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException)
        {
            return null;
        }
    }
}
