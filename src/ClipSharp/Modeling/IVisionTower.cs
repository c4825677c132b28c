using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>An image tower under OpenCLIP's `visual.`: a <see cref="VisionTransformer"/> or a <see cref="ModifiedResNet"/>.</summary>
public interface IVisionTower
{
    /// <summary>The tower's configuration.</summary>
    VisionConfig Config { get; }

    /// <summary>Width of <see cref="VisionOutput.PatchStates"/> rows (what a captioner attends to).</summary>
    int TokenWidth { get; }

    /// <summary>images (B, 3, H, W) normalized → pooled features, tokens and patch states; <paramref name="observe"/>
    /// receives intermediates named by OpenCLIP module path.</summary>
    VisionOutput Encode(Tensor images, Action<string, Tensor>? observe = null);

    /// <summary>The pooled features alone (B, E), equal to Encode(images).Pooled.</summary>
    Tensor EncodePooled(Tensor images);
}

/// <summary>Builds the image tower a <see cref="VisionConfig"/> describes.</summary>
public static class VisionTowers
{
    /// <summary>A ModifiedResNet when `layers` is a list (OpenCLIP's rule), else a VisionTransformer.</summary>
    public static nn.Module Create(VisionConfig cfg, int embedDim, bool quickGelu) =>
        cfg.IsResNet ? new ModifiedResNet(cfg, embedDim) : new VisionTransformer(cfg, embedDim, quickGelu);
}
