using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Zero-shot classification settings.</summary>
public sealed record ZeroShotOptions
{
    /// <summary>Images per encoder batch (prompts use 4x this).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Where the model runs (null = the model's device).</summary>
    public Device? Device { get; init; }
}
