namespace ClipSharp.Evaluation;

/// <summary>How captions are found in webdataset retrieval shards (see <see cref="RetrievalShardReader"/>).</summary>
public sealed record RetrievalShardOptions
{
    /// <summary>
    /// Where a sample's captions are: the member with this extension (default "txt", the CLIP_benchmark / webdataset
    /// retrieval layout: one caption per line), else this field of the sample's .json member (a string, one caption
    /// per line, or an array of strings, one caption each).
    /// </summary>
    public string CaptionField { get; init; } = "txt";

    /// <summary>The dataset name in results (null: the shards' folder name, or the single shard's file name stem).</summary>
    public string? Name { get; init; }
}
