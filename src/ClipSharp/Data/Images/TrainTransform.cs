using NetVips;
using static TorchSharp.torch;

namespace ClipSharp.Data.Images;

/// <summary>
/// OpenCLIP's train transform (non-timm): RandomResizedCrop to the model size (resized like the eval path, in the
/// image's own mode), convert to RGB, optional colour jitter with probability, optional random grayscale, then
/// ToTensor + Normalize. All randomness comes from the per-sample <see cref="Random"/> the caller passes, so a
/// sample's augmentation is reproducible from its seed whatever thread runs it.
/// </summary>
public sealed class TrainTransform
{
    /// <summary>Output size, mean/std and default interpolation.</summary>
    public PreprocessConfig Config { get; }

    /// <summary>The augmentation settings.</summary>
    public TrainAugmentConfig Augment { get; }

    /// <summary>Creates the transform (both configs validated).</summary>
    public TrainTransform(PreprocessConfig config, TrainAugmentConfig? augment = null)
    {
        Config = config.Validated();
        Augment = (augment ?? TrainAugmentConfig.Default).Validated();
    }

    /// <summary>The augmented RGB uchar image (Config.Height x Config.Width, lazy libvips image).</summary>
    public Image ApplyImage(DecodedImage image, Random rng)
    {
        var (top, left, h, w) = RandomResizedCrop.Sample(image.Height, image.Width, Augment, rng);
        var crop = new DecodedImage(image.Image.ExtractArea(left, top, w, h), image.Source, image.IsPalette);
        var rgb = PilModes.ToRgb(PilModes.Resize(crop, Config.Width, Config.Height, Augment.Interpolation ?? Config.Interpolation));
        if (Augment.ColorJitterProb > 0 && rng.NextDouble() < Augment.ColorJitterProb) rgb = ColorJitter.Apply(rgb, Augment, rng);
        if (Augment.GrayscaleProb > 0 && rng.NextDouble() < Augment.GrayscaleProb) rgb = ColorJitter.GreyRgb(rgb);
        return rgb;
    }

    /// <summary>The augmented image as RGB uint8 HWC.</summary>
    public byte[] ApplyBytes(DecodedImage image, Random rng)
    {
        using var img = ApplyImage(image, rng);
        return img.WriteToMemory<byte>();
    }

    /// <summary>The augmented, normalised float32 (3, H, W) tensor on the CPU.</summary>
    public Tensor Apply(DecodedImage image, Random rng)
    {
        var chw = new float[3 * Config.Height * Config.Width];
        ImageTensors.NormalizeInto(ApplyBytes(image, rng), chw, Config);
        return tensor(chw, [3, Config.Height, Config.Width], ScalarType.Float32);
    }
}
