using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's per-mode behaviour around a resize, so a <see cref="DecodedImage"/> is resized the way OpenCLIP's
/// transforms (Pillow) resize it before <c>convert("RGB")</c>: "P" (palette) with nearest neighbour whatever the
/// filter, "RGBA"/"LA" premultiplied (Pillow converts to "RGBa"/"La", resizes, converts back), "L" in one band.
/// </summary>
internal static class PilModes
{
    /// <summary>Resizes to (width, height) keeping the band layout (uchar in, uchar out); always a new image object.</summary>
    public static Image Resize(DecodedImage src, int width, int height, Interpolation filter)
    {
        var img = src.Image;
        if (img.Width == width && img.Height == height) return img.Copy();
        if (src.IsPalette) return PilResampler.Resize(img, width, height, Interpolation.Nearest);
        if (!src.HasAlpha || filter == Interpolation.Nearest) return PilResampler.Resize(img, width, height, filter);
        var resized = PilResampler.Resize(Premultiply(img), width, height, filter);
        return Unpremultiply(resized);
    }

    /// <summary>Pillow <c>convert("RGB")</c> from L / LA / RGB / RGBA: replicate grey, drop alpha.</summary>
    public static Image ToRgb(Image img) => img.Bands switch
    {
        1 => img.Bandjoin(img, img),
        2 => ToRgb(img.ExtractBand(0)),
        3 => img,
        _ => img.ExtractBand(0, n: 3),
    };

    // Pillow rgbA2rgba / la2lA: c' = MULDIV255(c, a) = (t + (t >> 8)) >> 8 with t = c * a + 128, alpha unchanged.
    // Exact in double arithmetic (all values are small integers), then back to uchar.
    internal static Image Premultiply(Image img)
    {
        int nc = img.Bands - 1;
        var d = img.Cast(Enums.BandFormat.Double);
        var colour = d.ExtractBand(0, n: nc);
        var alpha = d.ExtractBand(nc);
        var t = colour * alpha + 128.0;
        var c = ((t + (t / 256.0).Floor()) / 256.0).Floor();
        return c.Bandjoin(alpha).Cast(Enums.BandFormat.Uchar);
    }

    // Pillow rgba2rgbA: alpha 0 or 255 keeps c, otherwise CLIP8(255 * c / a) with integer (truncating) division.
    internal static Image Unpremultiply(Image img)
    {
        int nc = img.Bands - 1;
        var d = img.Cast(Enums.BandFormat.Double);
        var colour = d.ExtractBand(0, n: nc);
        var alpha = d.ExtractBand(nc);
        var divided = (colour * 255.0 / alpha).Floor(); // 1-band alpha broadcasts over the colour bands
        var keep = alpha.Equal(0.0) | alpha.Equal(255.0);
        var c = keep.Ifthenelse(colour, divided);
        return c.Bandjoin(alpha).Cast(Enums.BandFormat.Uchar);
    }
}
