namespace ClipSharp.Data.Pipeline;

/// <summary>A sample after decode, transform, normalisation and tokenization (what a batch row is made of).</summary>
internal sealed class ProcessedSample
{
    public required string Key { get; init; }
    public required string Origin { get; init; }
    /// <summary>(3, H, W) normalised float32, flattened.</summary>
    public required float[] Pixels { get; init; }
    /// <summary>Token rows by view name ("web", "partial", "synthetic", "mix", "targets").</summary>
    public required Dictionary<string, long[]> Rows { get; init; }
}
