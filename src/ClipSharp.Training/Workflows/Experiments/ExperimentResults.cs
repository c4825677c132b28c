using System.Text.Json.Nodes;
using ClipSharp.Training.Checkpointing;

namespace ClipSharp.Workflows.Experiments;

/// <summary>
/// OUT/results.json of an experiment: the settings, then one entry per configuration with its statistics over seeds
/// ("summary": eval → metric → {mean, sd, n}) and every seed's own numbers ("seeds"). Metrics are fractions as the
/// evaluators report them; mean_recall and gain_over_full are in points.
/// </summary>
public static class ExperimentResults
{
    /// <summary>The settings every experiment records.</summary>
    public static JsonObject Header(string experiment, ExperimentOptions o, string worldDir) => new()
    {
        ["experiment"] = experiment, ["steps"] = o.Steps, ["quick"] = o.Quick,
        ["seeds"] = new JsonArray(o.Seeds.Select(s => (JsonNode?)s).ToArray()),
        ["overrides"] = new JsonArray(o.Overrides.Select(s => (JsonNode?)s).ToArray()),
        ["world"] = worldDir,
        ["evals"] = new JsonArray(ExperimentWorld.RetrievalEvals(worldDir).Append(ExperimentWorld.BagEval).Select(e => (JsonNode?)e).ToArray()),
        ["units"] = "metrics are fractions in [0, 1]; mean_recall (mean of R@1/5/10 both ways) and gain_over_full are in points",
    };

    /// <summary>One configuration: key, label, recipe and overrides, summary over seeds, per-seed runs.</summary>
    public static JsonObject Config(ConfigResult r)
    {
        var summary = new JsonObject();
        foreach (var (eval, metrics) in r.Summary())
            summary[eval] = new JsonObject(metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value.ToJson())));
        var seeds = new JsonArray();
        foreach (var run in r.Runs)
        {
            var metrics = new JsonObject();
            foreach (var (eval, m) in run.Metrics)
                metrics[eval] = new JsonObject(m.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Number(kv.Value))));
            seeds.Add(new JsonObject
            {
                ["seed"] = run.Seed, ["run_directory"] = run.RunDirectory, ["reused"] = run.Reused,
                ["train_seconds"] = Number(Math.Round(run.TrainSeconds, 1)), ["metrics"] = metrics,
            });
        }
        return new JsonObject
        {
            ["key"] = r.Config.Key, ["label"] = r.Config.Label, ["recipe"] = r.Config.Recipe,
            ["overrides"] = new JsonArray(r.Config.Overrides.Select(s => (JsonNode?)s).ToArray()),
            ["summary"] = summary, ["seeds"] = seeds,
        };
    }

    /// <summary>Writes <paramref name="root"/> durably (indented).</summary>
    public static string Write(string path, JsonObject root)
    {
        CheckpointStore.WriteFileDurably(path, root.ToJsonString(new() { WriteIndented = true }));
        return path;
    }

    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
