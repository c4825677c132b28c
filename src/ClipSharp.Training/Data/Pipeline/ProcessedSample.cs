namespace ClipSharp.Data.Pipeline;

/// <summary>A sample after decode, transform, normalisation and tokenization (what a batch row is made of).</summary>
internal sealed class ProcessedSample
{
    public required string Key { get; init; }
    public required string Origin { get; init; }
    /// <summary>(3, H, W) normalised float32, flattened.</summary>
    public required float[] Pixels { get; init; }
    /// <summary>The token rows of each view the loader was asked for.</summary>
    public required TextViews<long[]> Rows { get; init; }
}
