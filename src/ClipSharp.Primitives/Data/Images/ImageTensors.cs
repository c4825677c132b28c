using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Data.Images;

/// <summary>
/// ToTensor + Normalize on raw pixels: RGB uint8 HWC to float32 CHW, bit-identical to torchvision's float32 math
/// (AVX-512 where available, else a per-channel table).
/// </summary>
internal static unsafe class ImageTensors
{
    // A 256-entry table per channel holds exactly the float32 results of (v / 255f - m) / s; the last one built is
    // kept per thread (configs rarely change) together with the mean/std it was built for.
    [ThreadStatic] private static float[]? _lut;
    [ThreadStatic] private static float[]? _lutKey;

    /// <summary>chw[c, y, x] = (hwc[y, x, c] / 255f - mean[c]) / std[c]; both spans hold H * W * 3 values.</summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, PreprocessConfig cfg) =>
        NormalizeInto(hwc, chw, cfg.Height * cfg.Width, cfg.Mean, cfg.Std);

    /// <summary>
    /// As above for <paramref name="pixels"/> pixels and explicit mean/std; <paramref name="vector"/> = false keeps to
    /// the table loop (the tests' oracle for the AVX-512 loop).
    /// </summary>
    public static void NormalizeInto(ReadOnlySpan<byte> hwc, Span<float> chw, int pixels, float[] mean, float[] std,
        bool vector = true)
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
            int i = vector && Avx512Vbmi.IsSupported ? NormalizeAvx512(src, r, g, b, pixels, mean, std) : 0;
            byte* s = src + 3 * i;
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

    // 16 pixels per step: one 64-byte load, one byte permute to [R x16 | G x16 | B x16 | -], then per channel
    // (v / 255f - m) / s with vector int -> float conversion, division and subtraction: each an IEEE single-precision
    // operation rounded exactly like the scalar ones, so the floats are the table's bit for bit. Returns the pixels done.
    private static int NormalizeAvx512(byte* src, float* r, float* g, float* b, int pixels, float[] mean, float[] std)
    {
        Span<byte> idx = stackalloc byte[64];
        for (int q = 0; q < 64; q++) idx[q] = (byte)(q < 48 ? 3 * (q & 15) + (q >> 4) : 0);
        var index = Vector512.Create((ReadOnlySpan<byte>)idx);
        var v255 = Vector512.Create(255f);
        Vector512<float> mr = Vector512.Create(mean[0]), mg = Vector512.Create(mean[1]), mb = Vector512.Create(mean[2]);
        Vector512<float> sr = Vector512.Create(std[0]), sg = Vector512.Create(std[1]), sb = Vector512.Create(std[2]);
        int i = 0;
        for (; 3 * i + 64 <= 3 * pixels; i += 16)
        {
            var d = Avx512Vbmi.PermuteVar64x8(Vector512.Load(src + 3 * i), index);
            ((Channel(d.GetLower().GetLower()) / v255 - mr) / sr).Store(r + i);
            ((Channel(d.GetLower().GetUpper()) / v255 - mg) / sg).Store(g + i);
            ((Channel(d.GetUpper().GetLower()) / v255 - mb) / sb).Store(b + i);
        }
        return i;
    }

    private static Vector512<float> Channel(Vector128<byte> v) => Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(v));

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
