namespace ClipSharp.Data.Images;

/// <summary>ToTensor + Normalize on raw pixels: RGB uint8 HWC to float32 CHW, bit-identical to torchvision's float32 math.</summary>
internal static unsafe class ImageTensors
{
    // A 256-entry table per channel holds exactly the float32 results of (v / 255f - m) / s; the last one built is
    // kept per thread (configs rarely change) together with the mean/std it was built for.
    [ThreadStatic] private static float[]? _lut;
    [ThreadStatic] private static float[]? _lutKey;

    /// <summary>chw[c, y, x] = (hwc[y, x, c] / 255f - mean[c]) / std[c]; both spans hold H * W * 3 values.</summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, PreprocessConfig cfg) =>
        NormalizeInto(hwc, chw, cfg.Height * cfg.Width, cfg.Mean, cfg.Std);

    /// <summary>As above for <paramref name="pixels"/> pixels and explicit mean/std.</summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, int pixels, float[] mean, float[] std)
    {
        if (hwc.Length != pixels * 3 || chw.Length != pixels * 3)
            throw new ArgumentException($"Expected {pixels * 3} values, got {hwc.Length} bytes and {chw.Length} floats.");
        if (mean.Length < 3 || std.Length < 3) throw new ArgumentException("Mean and std need 3 values.");
        var lut = Table(mean, std);
        fixed (byte* src = hwc)
        fixed (float* dst = chw)
        fixed (float* lr = lut)
        {
            float* r = dst, g = dst + pixels, b = dst + 2 * pixels, lg = lr + 256, lb = lr + 512;
            byte* s = src;
            int i = 0;
            for (; i + 4 <= pixels; i += 4, s += 12)
            {
                r[i] = lr[s[0]]; g[i] = lg[s[1]]; b[i] = lb[s[2]];
                r[i + 1] = lr[s[3]]; g[i + 1] = lg[s[4]]; b[i + 1] = lb[s[5]];
                r[i + 2] = lr[s[6]]; g[i + 2] = lg[s[7]]; b[i + 2] = lb[s[8]];
                r[i + 3] = lr[s[9]]; g[i + 3] = lg[s[10]]; b[i + 3] = lb[s[11]];
            }
            for (; i < pixels; i++, s += 3) { r[i] = lr[s[0]]; g[i] = lg[s[1]]; b[i] = lb[s[2]]; }
        }
    }

    private static float[] Table(float[] mean, float[] std)
    {
        var key = _lutKey;
        if (_lut is { } cached && key is not null && key[0] == mean[0] && key[1] == mean[1] && key[2] == mean[2]
            && key[3] == std[0] && key[4] == std[1] && key[5] == std[2]) return cached;
        var lut = new float[256 * 3];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++) lut[c * 256 + v] = ((float)v / 255f - mean[c]) / std[c];
        _lut = lut;
        _lutKey = [mean[0], mean[1], mean[2], std[0], std[1], std[2]];
        return lut;
    }
}
