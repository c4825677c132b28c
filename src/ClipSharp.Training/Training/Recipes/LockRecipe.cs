namespace ClipSharp.Training.Recipes;

/// <summary>
/// Tower locking for fine-tuning, OpenCLIP's flags as recipe keys (<c>lock.image</c> = --lock-image, ...). A locked
/// tower's parameters get requires_grad = false and stay out of the optimizer, except its last N layer groups
/// (<see cref="Finetuning.TowerLayerGroups"/>: embeddings, one group per block with the final norm in the last,
/// the projection): N = 0 freezes the whole tower, N = 1 leaves the projection trainable, N = 2 also the last block
/// and its final norm, and so on.
/// </summary>
public sealed record LockRecipe
{
    /// <summary>Lock the image tower (LiT), --lock-image.</summary>
    public bool Image { get; init; }
    /// <summary>Leave the image tower's last N groups trainable, --lock-image-unlocked-groups.</summary>
    public int ImageUnlockedGroups { get; init; }
    /// <summary>--lock-image-freeze-bn-stats: freezes batch-norm statistics; ViT towers have none, so it changes
    /// nothing here (as in OpenCLIP's VisionTransformer.lock).</summary>
    public bool ImageFreezeBnStats { get; init; }
    /// <summary>Lock the text tower, --lock-text.</summary>
    public bool Text { get; init; }
    /// <summary>Leave the text tower's last N groups trainable, --lock-text-unlocked-layers.</summary>
    public int TextUnlockedLayers { get; init; }
    /// <summary>Freeze the LayerNorms of the locked text groups too (default, the only mode of OpenCLIP's own text
    /// tower); false keeps them trainable, as OpenCLIP's Hugging Face text towers do without --lock-text-freeze-layer-norm.</summary>
    public bool TextFreezeLayerNorm { get; init; } = true;
}
