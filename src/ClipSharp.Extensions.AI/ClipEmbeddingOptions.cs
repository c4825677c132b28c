namespace ClipSharp.Extensions.AI;

/// <summary>Settings of the CLIP embedding generators (bind them with the options pattern: <c>services.Configure&lt;ClipEmbeddingOptions&gt;(...)</c>).</summary>
public sealed class ClipEmbeddingOptions
{
    /// <summary>
    /// Inputs handed to the encoder at once (default 64). Cancellation is checked between such chunks; the encoder
    /// batches inside a chunk on its own (e.g. <c>ClipPipelineOptions.BatchSize</c>).
    /// </summary>
    public int MaxBatchSize { get; set; } = 64;
}
