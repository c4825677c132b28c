using TorchSharp;

namespace ClipSharp.Workflows.Probes;

/// <summary>
/// Settings of <c>clipsharp experiment probe</c>: which model and world, how many training samples, the held-out share,
/// and the optional supervised control (<see cref="Supervised"/> empty = no control).
/// </summary>
public sealed record ProbeOptions
{
    /// <summary>The model folder (a run folder or a local OpenCLIP / CLIPS directory with open_clip_config.json).</summary>
    public required string Model { get; init; }

    /// <summary>The built-in world (the folder holding manifest.json and train/).</summary>
    public required string World { get; init; }

    /// <summary>Output folder; probe.json is written there.</summary>
    public string OutputDir { get; init; } = Path.Combine("runs", "probe");

    /// <summary>The first N training samples of the world (in shard order) that read and decode.</summary>
    public int Samples { get; init; } = 5000;

    /// <summary>The share of the samples held out for accuracy (the rest fits the probe or trains the control).</summary>
    public double Holdout { get; init; } = 0.2;

    /// <summary>Seeds the train/held-out split and the supervised control (its init and batches).</summary>
    public long Seed { get; init; }

    /// <summary>Where the model and the control run (CPU when null).</summary>
    public torch.Device? Device { get; init; }

    /// <summary>Images per forward pass when embedding.</summary>
    public int EmbedBatch { get; init; } = 64;

    /// <summary>Full-batch Adam iterations of each logistic-regression probe.</summary>
    public int ProbeIterations { get; init; } = 500;

    /// <summary>Adam learning rate of the probes (features are standardised).</summary>
    public double ProbeLearningRate { get; init; } = 0.05;

    /// <summary>L2 penalty on the probe weights (λ·‖W‖², added to the mean cross-entropy).</summary>
    public double ProbeL2 { get; init; } = 1e-4;

    /// <summary>Attributes of the supervised control (names of <see cref="ProbeAttribute.All"/>); empty: no control.</summary>
    public IReadOnlyList<string> Supervised { get; init; } = [];

    /// <summary>Optimizer steps of each supervised control.</summary>
    public int SupervisedSteps { get; init; } = 500;

    /// <summary>Batch size of the supervised control.</summary>
    public int SupervisedBatch { get; init; } = 64;

    /// <summary>AdamW learning rate of the supervised control.</summary>
    public double SupervisedLearningRate { get; init; } = 1e-3;

    /// <summary>AdamW weight decay of the supervised control (on matrices only, as the trainer's OpenCLIP rule).</summary>
    public double SupervisedWeightDecay { get; init; } = 0.1;

    /// <summary>Held-out accuracy of the control every this many steps (and after the last).</summary>
    public int SupervisedEvalEvery { get; init; } = 250;

    /// <summary>Progress lines.</summary>
    public Action<string>? Log { get; init; }
}
