using ClipSharp.Training;

namespace ClipSharp.TestHost;

/// <summary>
/// Fault injection for the kill-and-resume tests, from CLIPSHARP_FAULT: "checkpoint-write" or "checkpoint-write:STEP"
/// (the process dies between the model file and the optimizer file of a checkpoint, as a power cut would),
/// "pause-after-step:STEP" (blocks after that step's metrics and checkpoint, so a test can kill the process at a known
/// point however fast the machine is).
/// </summary>
public sealed class EnvironmentFaults(string spec) : ITrainingFaults
{
    /// <summary>The variable read.</summary>
    public const string Variable = "CLIPSHARP_FAULT";

    /// <summary>The faults the environment asks for, or null.</summary>
    public static EnvironmentFaults? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } spec ? new EnvironmentFaults(spec) : null;

    public void AfterStep(long step)
    {
        if (spec == $"pause-after-step:{step}") Thread.Sleep(Timeout.Infinite);
    }

    public void BetweenCheckpointFiles(long step)
    {
        if (spec == "checkpoint-write" || spec == $"checkpoint-write:{step}")
            Environment.FailFast($"fault injected while writing the step-{step} checkpoint");
    }
}
