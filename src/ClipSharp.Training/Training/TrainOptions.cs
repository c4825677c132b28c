using ClipSharp.Data;
using ClipSharp.Distributed;
using ClipSharp.Training.Evals;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Training;

/// <summary>How to run a recipe: where, resumed from what, observed by whom, on which ranks.</summary>
public sealed record TrainOptions
{
    /// <summary>The resolved recipe.</summary>
    public required Recipe Recipe { get; init; }

    /// <summary>The run folder (default: recipe.output_dir, else runs/NAME).</summary>
    public string? RunDirectory { get; init; }

    /// <summary>"latest", a checkpoint folder or a run folder; null starts from scratch.</summary>
    public string? Resume { get; init; }

    /// <summary>Receives progress, evals and messages (the CLI draws them).</summary>
    public ITrainingObserver? Observer { get; init; }

    /// <summary>The ranks (default: one process).</summary>
    public ICollectives? Collectives { get; init; }

    /// <summary>Stops (cleanly, no final eval) once this many steps are done: for tests and time-boxed runs.</summary>
    public long? StopAtStep { get; init; }

    /// <summary>
    /// Opt in to <see cref="Core.ProcessTuning"/> (malloc tuning, MKL GEMM dispatch) before the model is built; it
    /// changes the whole host process, so the default is off (the CLI applies it itself).
    /// </summary>
    public bool TuneProcess { get; init; }

    /// <summary>Fault injection for tests (crash between checkpoint files, pause after a step); null in production.</summary>
    public ITrainingFaults? Faults { get; init; }

    /// <summary>Cancels between steps (a checkpoint is written first).</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a run did.</summary>
public sealed record TrainResult(
    string RunDirectory, long Steps, long SamplesSeen, double Seconds, long NonFiniteSkipped,
    BadSampleReport BadSamples, IReadOnlyList<EvalOutcome> FinalEvals, bool Completed);

/// <summary>One optimizer step as reported to observers and the metrics log.</summary>
public sealed record StepReport(
    long Step, long TotalSteps, double Lr, double Loss, IReadOnlyDictionary<string, double> Parts, double GradNorm,
    double LogitScale, double SamplesPerSecond, TimeSpan Elapsed, TimeSpan Eta, long SamplesSeen, bool Skipped)
{
    /// <summary>The metrics-log values of this step (loss parts as "loss/NAME").</summary>
    public Dictionary<string, double> Values()
    {
        var d = new Dictionary<string, double>
        {
            ["loss"] = Loss, ["lr"] = Lr, ["grad_norm"] = GradNorm, ["logit_scale"] = LogitScale,
            ["samples_per_s"] = SamplesPerSecond, ["samples_seen"] = SamplesSeen, ["skipped"] = Skipped ? 1 : 0,
        };
        foreach (var (k, v) in Parts) d[$"loss/{k}"] = v;
        return d;
    }
}

/// <summary>Callbacks of a training run (all optional). Only the main rank's observer is called.</summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) at <paramref name="step"/> of <paramref name="total"/>.</summary>
    void OnStart(long step, long total, string runDirectory) { }

    /// <summary>A logged step.</summary>
    void OnStep(StepReport report) { }

    /// <summary>An evaluation finished.</summary>
    void OnEval(long step, EvalOutcome outcome) { }

    /// <summary>A line worth showing (checkpoints, data notices, skips).</summary>
    void OnMessage(string line) { }
}
