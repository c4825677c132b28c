using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// torchvision <c>ColorJitter</c> / <c>Grayscale</c> semantics on libvips (RGB uchar in and out): the four
/// adjustments in a random order, each factor drawn uniformly; Pillow's definitions (blend with black, with the mean
/// grey level, with the grey image; hue shift in HSV). Not bit-identical to Pillow (rounding), which training does not need.
/// </summary>
public static class ColorJitter
{
    /// <summary>Applies brightness, contrast, saturation and hue jitter from <paramref name="cfg"/> in a random order.</summary>
    public static Image Apply(Image rgb, TrainAugmentConfig cfg, Random rng)
    {
        // torchvision get_params: the permutation first, then one factor per enabled adjustment.
        int[] order = [0, 1, 2, 3];
        rng.Shuffle(order);
        double? b = cfg.Brightness > 0 ? Uniform(rng, Math.Max(0, 1 - cfg.Brightness), 1 + cfg.Brightness) : null;
        double? c = cfg.Contrast > 0 ? Uniform(rng, Math.Max(0, 1 - cfg.Contrast), 1 + cfg.Contrast) : null;
        double? s = cfg.Saturation > 0 ? Uniform(rng, Math.Max(0, 1 - cfg.Saturation), 1 + cfg.Saturation) : null;
        double? h = cfg.Hue > 0 ? Uniform(rng, -cfg.Hue, cfg.Hue) : null;
        foreach (int op in order)
        {
            rgb = op switch
            {
                0 when b is { } fb => Brightness(rgb, fb),
                1 when c is { } fc => Contrast(rgb, fc),
                2 when s is { } fs => Saturation(rgb, fs),
                3 when h is { } fh => Hue(rgb, fh),
                _ => rgb,
            };
        }
        return rgb;
    }

    /// <summary>Blend with black: x * f.</summary>
    public static Image Brightness(Image rgb, double f) => ToUchar(rgb.Cast(Enums.BandFormat.Double) * f);

    /// <summary>Blend with the image's mean grey level (rounded): m + f (x - m).</summary>
    public static Image Contrast(Image rgb, double f)
    {
        double mean = Math.Floor(Grey(rgb).Avg() + 0.5);
        return ToUchar(rgb.Cast(Enums.BandFormat.Double) * f + mean * (1 - f));
    }

    /// <summary>Blend with the grey version: g + f (x - g).</summary>
    public static Image Saturation(Image rgb, double f)
    {
        var g = Grey(rgb).Cast(Enums.BandFormat.Double);
        return ToUchar(rgb.Cast(Enums.BandFormat.Double) * f + g * (1 - f));
    }

    /// <summary>Rotates the hue by <paramref name="shift"/> turns (-0.5..0.5) in libvips' 8-bit HSV.</summary>
    public static Image Hue(Image rgb, double shift)
    {
        var hsv = rgb.Copy(interpretation: Enums.Interpretation.Srgb).Colourspace(Enums.Interpretation.Hsv);
        int delta = (((int)Math.Round(shift * 255) % 256) + 256) % 256;
        var hue = ((hsv.ExtractBand(0).Cast(Enums.BandFormat.Int) + delta) % 256).Cast(Enums.BandFormat.Uchar);
        var shifted = hue.Bandjoin(hsv.ExtractBand(1, n: 2)).Copy(interpretation: Enums.Interpretation.Hsv);
        return shifted.Colourspace(Enums.Interpretation.Srgb).Cast(Enums.BandFormat.Uchar);
    }

    /// <summary>Pillow <c>convert("L")</c> (ITU-R 601-2: 0.299 R + 0.587 G + 0.114 B, rounded), one band.</summary>
    public static Image Grey(Image rgb)
    {
        using var m = Image.NewFromArray(new[,] { { 0.299, 0.587, 0.114 } });
        return ToUchar(rgb.Cast(Enums.BandFormat.Double).Recomb(m));
    }

    /// <summary>Grayscale with three output channels (torchvision <c>Grayscale(3)</c>).</summary>
    public static Image GreyRgb(Image rgb)
    {
        var g = Grey(rgb);
        return g.Bandjoin(g, g);
    }

    private static Image ToUchar(Image d) => (d + 0.5).Floor().Cast(Enums.BandFormat.Uchar); // round half up, clamp 0..255

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
}
