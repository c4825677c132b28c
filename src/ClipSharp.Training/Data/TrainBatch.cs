using static TorchSharp.torch;

namespace ClipSharp.Data;

/// <summary>
/// One batch: images (B, 3, H, W) float32 on the CPU, the token views of <see cref="CaptionViewOptions"/>, the sample
/// keys and the loader position after this batch. The tensors belong to the batch (they are detached from any dispose
/// scope): dispose the batch, or move the tensors into your own scope.
/// </summary>
public sealed class TrainBatch : IDisposable
{
    /// <summary>Normalised images, (B, 3, H, W) float32, CPU.</summary>
    public Tensor Images { get; }

    /// <summary>The token views the loader was asked for: web, partial, synthetic, mix int64 (B, ctx); targets int64 (B, T).</summary>
    public TextViews<Tensor> Texts { get; }

    /// <summary>The sample keys, in batch order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The shard / manifest each sample came from.</summary>
    public IReadOnlyList<string> Origins { get; }

    /// <summary>The loader position after this batch (store it in checkpoints).</summary>
    public LoaderPosition Position { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Keys.Count;

    /// <summary>Creates a batch that owns the given tensors.</summary>
    public TrainBatch(Tensor images, TextViews<Tensor> texts, IReadOnlyList<string> keys,
        IReadOnlyList<string> origins, LoaderPosition position)
    {
        Images = images;
        Texts = texts;
        Keys = keys;
        Origins = origins;
        Position = position;
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        foreach (var (_, t) in Texts.Present()) t.Dispose();
    }
}
