namespace ClipSharp.Training;

/// <summary>
/// The seam the kill-and-resume tests use to make a run fail at a known point (a test host passes one in
/// <see cref="TrainOptions.Faults"/>); production runs have none, so the loop makes no environment checks.
/// </summary>
public interface ITrainingFaults
{
    /// <summary>After step <paramref name="step"/>'s metrics and checkpoint (e.g. block, so a test can kill the process there).</summary>
    void AfterStep(long step) { }

    /// <summary>Between the model file and the optimizer file of the step-<paramref name="step"/> checkpoint (e.g. die, as a power cut would).</summary>
    void BetweenCheckpointFiles(long step) { }
}
