using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's per-mode conversions around a resize: <c>convert("RGB")</c> from every <see cref="PilMode"/>
/// (libImaging/Convert.c) and the premultiplication Pillow applies to "RGBA"/"LA" before resizing them.
/// </summary>
internal static unsafe class PilModes
{
    /// <summary>
    /// Pillow <c>convert("RGB")</c> of <paramref name="h"/> rows of <paramref name="w"/> pixels in <paramref name="mode"/>'s
    /// uchar layout at <paramref name="src"/> (packed) to <paramref name="dst"/> (rows <paramref name="dstStride"/> bytes
    /// apart). "1" / "L" / "LA": grey replicated (alpha dropped); "RGB" / "P" (palette colours): copied; "RGBA": alpha
    /// dropped; "CMYK": cmyk2rgb, nk = 255 - k, each channel clip8(nk - MULDIV255(c, nk)). Not for "I;16".
    /// </summary>
    public static void ToRgb(PilMode mode, byte* src, int w, int h, byte* dst, long dstStride)
    {
        int bands = DecodedImage.BandsOf(mode);
        for (int y = 0; y < h; y++)
        {
            byte* s = src + (long)y * w * bands, d = dst + y * dstStride;
            switch (mode)
            {
                case PilMode.Rgb or PilMode.P:
                    Buffer.MemoryCopy(s, d, w * 3, w * 3);
                    break;
                case PilMode.Rgba:
                    for (int x = 0; x < w; x++, s += 4, d += 3) { d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; }
                    break;
                case PilMode.Cmyk:
                    for (int x = 0; x < w; x++, s += 4, d += 3)
                    {
                        int nk = 255 - s[3];
                        d[0] = CmykChannel(s[0], nk); d[1] = CmykChannel(s[1], nk); d[2] = CmykChannel(s[2], nk);
                    }
                    break;
                case PilMode.L or PilMode.LA or PilMode.One:
                    for (int x = 0; x < w; x++, s += bands, d += 3) { d[0] = s[0]; d[1] = s[0]; d[2] = s[0]; }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), $"No uchar RGB conversion for mode {mode}.");
            }
        }
    }

    // nk - MULDIV255(c, nk), MULDIV255(a, b) = ((t >> 8) + t) >> 8 with t = a * b + 128; never below 0.
    private static byte CmykChannel(int c, int nk)
    {
        int t = c * nk + 128;
        return (byte)Math.Clamp(nk - (((t >> 8) + t) >> 8), 0, 255);
    }

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
}
