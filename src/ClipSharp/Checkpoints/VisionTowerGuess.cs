namespace ClipSharp.Checkpoints;

/// <summary>
/// A ViT image tower read off OpenCLIP state-dict shapes (`visual.conv1.weight` (width, 3, patch, patch),
/// `visual.positional_embedding` (grid² [+1 class token], width), `visual.transformer.resblocks.N`).
/// Pooling hints: CLIPS towers have no `ln_pre` and average-pool; CoCa towers carry an attentional pooler.
/// A ModifiedResNet (`visual.layerS.B.*`, `visual.attnpool.*`) has <see cref="StageBlocks"/> (blocks per stage), the
/// stem width as Width, PatchSize 0 and the image side 32 × the attention pool's grid.
/// </summary>
public sealed record VisionTowerGuess(int Width, int Layers, int PatchSize, int ImageSize, bool HasClassEmbedding, bool HasLnPre,
    bool HasAttentionalPool, int? OutputDim, IReadOnlyList<int>? StageBlocks = null)
{
    /// <summary>True for a ModifiedResNet tower.</summary>
    public bool IsResNet => StageBlocks is not null;
}
