using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Retrieval evaluation settings.</summary>
public sealed record RetrievalOptions
{
    /// <summary>Images per encoder batch (texts use 4x this).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Where the model runs (null = the model's device).</summary>
    public Device? Device { get; init; }

    /// <summary>Query rows per similarity block: memory is BlockSize × (number of candidates) floats.</summary>
    public int BlockSize { get; init; } = 1024;

    /// <summary>The K of R@K.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [1, 5, 10];
}
