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

    /// <summary>The augmented RGB uchar image (Config.Height x Config.Width, in memory).</summary>
    public Image ApplyImage(DecodedImage image, Random rng) => ToImage(ApplyBytes(image, rng));

    /// <summary>The augmented image as RGB uint8 HWC.</summary>
    public byte[] ApplyBytes(DecodedImage image, Random rng)
    {
        int th = Config.Height, tw = Config.Width;
        var (top, left, h, w) = RandomResizedCrop.Sample(image.Height, image.Width, Augment, rng);
        var rgb = new byte[th * tw * 3];
        PilRender.RenderRgb(image, left, top, w, h, tw, th, Augment.Interpolation ?? Config.Interpolation, 0, 0, tw, th, 0, rgb);
        // Same draw order as torchvision's Compose: jitter's coin (then its own draws), then grayscale's coin.
        Image? img = null;
        try
        {
            if (Augment.ColorJitterProb > 0 && rng.NextDouble() < Augment.ColorJitterProb)
                img = ColorJitter.Apply(ToImage(rgb), Augment, rng);
            if (Augment.GrayscaleProb > 0 && rng.NextDouble() < Augment.GrayscaleProb)
                img = ColorJitter.GreyRgb(img ?? ToImage(rgb));
            return img is null ? rgb : img.WriteToMemory<byte>();
        }
        finally { img?.Dispose(); }
    }

    /// <summary>The augmented, normalised float32 (3, H, W) tensor on the CPU.</summary>
    public Tensor Apply(DecodedImage image, Random rng)
    {
        var chw = new float[3 * Config.Height * Config.Width];
        ApplyInto(image, rng, chw);
        return tensor(chw, [3, Config.Height, Config.Width], ScalarType.Float32);
    }

    /// <summary>Writes the augmented, normalised image into <paramref name="chw"/> (3 * H * W floats, (3, H, W) order).</summary>
    public void ApplyInto(DecodedImage image, Random rng, Span<float> chw)
    {
        int n = Config.Height * Config.Width * 3;
        if (chw.Length != n) throw new ArgumentException($"Expected {n} floats, got {chw.Length}.", nameof(chw));
        ImageTensors.NormalizeInto(ApplyBytes(image, rng), chw, Config);
    }

    private Image ToImage(byte[] rgb) =>
        Image.NewFromMemoryCopy<byte>(rgb, Config.Width, Config.Height, 3, Enums.BandFormat.Uchar)
            .Copy(interpretation: Enums.Interpretation.Srgb);
}
