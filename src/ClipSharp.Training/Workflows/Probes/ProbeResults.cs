using System.Text.Json.Nodes;

namespace ClipSharp.Workflows.Probes;

/// <summary>
/// OUT/probe.json: the settings (model, world, samples, split, seed, probe and control hyper-parameters), the skipped
/// samples, and one entry per attribute with the probe's held-out and training accuracy, the majority-class and chance
/// accuracies, and the supervised control (null when not run) with its curve. Accuracies are fractions in [0, 1].
/// </summary>
public static class ProbeResults
{
    /// <summary>The JSON document of <paramref name="r"/>.</summary>
    public static JsonObject ToJson(ProbeResult r, ProbeOptions o) => new()
    {
        ["experiment"] = "probe",
        ["model"] = Path.GetFullPath(o.Model), ["world"] = Path.GetFullPath(o.World),
        ["samples"] = r.Samples, ["train"] = r.Train, ["held_out"] = r.HeldOut, ["holdout"] = o.Holdout, ["seed"] = o.Seed,
        ["embedding_dim"] = r.EmbeddingDim,
        ["probe"] = new JsonObject
        {
            ["kind"] = "multinomial logistic regression on standardised image embeddings, full-batch Adam from zero",
            ["iterations"] = o.ProbeIterations, ["learning_rate"] = o.ProbeLearningRate, ["l2"] = o.ProbeL2,
        },
        ["units"] = "accuracies are fractions in [0, 1]; majority = always the most common class of the training split; chance = 1 / classes",
        ["bad_samples"] = r.Bad.ToJsonNode(),
        ["attributes"] = new JsonArray(r.Rows.Select(row => (JsonNode?)Row(row, o)).ToArray()),
    };

    private static JsonObject Row(ProbeRow row, ProbeOptions o) => new()
    {
        ["name"] = row.Attribute.Name, ["description"] = row.Attribute.Description, ["classes"] = row.Attribute.Classes,
        ["probe_accuracy"] = row.Fit.HeldOutAccuracy, ["probe_train_accuracy"] = row.Fit.TrainAccuracy,
        ["majority_accuracy"] = row.Fit.MajorityAccuracy, ["chance"] = row.Chance,
        ["supervised"] = row.Supervised is { } s ? Supervised(s, o) : null,
    };

    private static JsonObject Supervised(SupervisedResult s, ProbeOptions o) => new()
    {
        ["steps"] = s.Steps, ["batch"] = s.Batch, ["learning_rate"] = s.LearningRate, ["weight_decay"] = o.SupervisedWeightDecay,
        ["heldout_accuracy"] = s.HeldOutAccuracy, ["seconds"] = Math.Round(s.Seconds, 1),
        ["curve"] = new JsonArray(s.Curve.Select(p => (JsonNode?)new JsonObject
        {
            ["step"] = p.Step, ["loss"] = double.IsFinite(p.Loss) ? p.Loss : null, ["heldout_accuracy"] = p.HeldOutAccuracy,
        }).ToArray()),
    };
}
