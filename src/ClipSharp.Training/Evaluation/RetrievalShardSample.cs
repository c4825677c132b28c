namespace ClipSharp.Evaluation;

/// <summary>One webdataset retrieval sample: its key and shard, the encoded image and its extension, and its captions (at least one).</summary>
public sealed record RetrievalShardSample(string Key, string Origin, byte[] Image, string ImageExt, IReadOnlyList<string> Captions);
