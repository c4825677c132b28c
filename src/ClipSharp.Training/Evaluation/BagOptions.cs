using ClipSharp.Modeling.Generation;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Bag evaluation settings.</summary>
public sealed record BagOptions
{
    /// <summary>Images per encoder / captioner batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Where the model runs (null = the model's device).</summary>
    public Device? Device { get; init; }

    /// <summary>For CLIPS models: generate a caption per image and score caption self-retrieval (default on).</summary>
    public bool CaptionSelfRetrieval { get; init; } = true;

    /// <summary>How captions are generated (greedy by default, empty web caption).</summary>
    public GenerationOptions Generation { get; init; } = GenerationOptions.Greedy;
}
