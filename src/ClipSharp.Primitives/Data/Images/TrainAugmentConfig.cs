namespace ClipSharp.Data.Images;

/// <summary>
/// Training augmentation, as OpenCLIP's <c>AugmentationCfg</c> (non-timm path): RandomResizedCrop with
/// <paramref name="ScaleMin"/>..<paramref name="ScaleMax"/> of the area (OpenCLIP default 0.9-1.0) and aspect ratio
/// <paramref name="RatioMin"/>..<paramref name="RatioMax"/> (3/4-4/3); then, as in the CLIPA recipe, colour jitter
/// (brightness, contrast, saturation, hue) applied with probability <paramref name="ColorJitterProb"/> and random
/// grayscale with probability <paramref name="GrayscaleProb"/>. <paramref name="Interpolation"/> null = the
/// preprocess config's (OpenCLIP itself always uses bicubic here).
/// </summary>
public sealed record TrainAugmentConfig(
    double ScaleMin = 0.9,
    double ScaleMax = 1.0,
    double RatioMin = 3.0 / 4.0,
    double RatioMax = 4.0 / 3.0,
    Interpolation? Interpolation = null,
    double Brightness = 0.0,
    double Contrast = 0.0,
    double Saturation = 0.0,
    double Hue = 0.0,
    double ColorJitterProb = 0.0,
    double GrayscaleProb = 0.0)
{
    /// <summary>OpenCLIP's default: RandomResizedCrop(scale 0.9-1.0), no colour augmentation.</summary>
    public static TrainAugmentConfig Default { get; } = new();

    /// <summary>The CLIPA-style recipe: jitter (0.4, 0.4, 0.4, 0.1) with p = 0.8, grayscale p = 0.2.</summary>
    public static TrainAugmentConfig Clipa { get; } = new(Brightness: 0.4, Contrast: 0.4, Saturation: 0.4, Hue: 0.1,
        ColorJitterProb: 0.8, GrayscaleProb: 0.2);

    /// <summary>Checks ranges; throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public TrainAugmentConfig Validated()
    {
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1)) throw new ArgumentException($"scale must satisfy 0 < min <= max <= 1, got ({ScaleMin}, {ScaleMax}).");
        if (!(RatioMin > 0 && RatioMin <= RatioMax)) throw new ArgumentException($"ratio must satisfy 0 < min <= max, got ({RatioMin}, {RatioMax}).");
        if (Brightness < 0 || Contrast < 0 || Saturation < 0) throw new ArgumentException("brightness/contrast/saturation must be >= 0.");
        if (Hue is < 0 or > 0.5) throw new ArgumentException($"hue must be in [0, 0.5], got {Hue}.");
        if (ColorJitterProb is < 0 or > 1 || GrayscaleProb is < 0 or > 1) throw new ArgumentException("probabilities must be in [0, 1].");
        return this;
    }
}
