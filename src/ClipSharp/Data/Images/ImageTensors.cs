namespace ClipSharp.Data.Images;

/// <summary>ToTensor + Normalize on raw pixels: RGB uint8 HWC to float32 CHW, bit-identical to torchvision's float32 math.</summary>
internal static class ImageTensors
{
    /// <summary>chw[c, y, x] = (hwc[y, x, c] / 255f - mean[c]) / std[c]; both spans hold H * W * 3 values.</summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, PreprocessConfig cfg) =>
        NormalizeInto(hwc, chw, cfg.Height * cfg.Width, cfg.Mean, cfg.Std);

    /// <summary>As above for <paramref name="pixels"/> pixels and explicit mean/std.</summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, int pixels, float[] mean, float[] std)
    {
        if (hwc.Length != pixels * 3 || chw.Length != pixels * 3)
            throw new ArgumentException($"Expected {pixels * 3} values, got {hwc.Length} bytes and {chw.Length} floats.");
        // A 256-entry table per channel holds exactly the float32 results of (v / 255f - m) / s.
        Span<float> lut = stackalloc float[256 * 3];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++) lut[c * 256 + v] = ((float)v / 255f - mean[c]) / std[c];
        var r = chw[..pixels];
        var g = chw.Slice(pixels, pixels);
        var b = chw.Slice(2 * pixels, pixels);
        for (int i = 0, j = 0; i < pixels; i++, j += 3)
        {
            r[i] = lut[hwc[j]];
            g[i] = lut[256 + hwc[j + 1]];
            b[i] = lut[512 + hwc[j + 2]];
        }
    }
}
