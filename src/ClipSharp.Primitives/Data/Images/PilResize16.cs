namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's <c>Image.resize</c> for "I;16" (16-bit grey; libImaging/Resample.c, 16bpc): separable, horizontal pass
/// first, each output = sum of pixel * normalised double weight, rounded half away from zero, then stored as two
/// bytes each clipped to 0..255 (low byte = sum % 256, high byte = sum &gt;&gt; 8; a negative sum gives 0). Scalar:
/// 16-bit images are rare. Nearest neighbour uses Pillow's running source position, as for 8-bit images.
/// </summary>
internal static unsafe class PilResize16
{
    /// <summary>
    /// Resizes <paramref name="inW"/> x <paramref name="inH"/> ushort pixels at <paramref name="src"/> (rows
    /// <paramref name="stride"/> values apart) to <paramref name="outW"/> x <paramref name="outH"/>; writes the window
    /// [cx, cx + cw) x [cy, cy + ch) of the result to <paramref name="dst"/> (ch rows of cw values).
    /// </summary>
    public static void Resize(ushort* src, long stride, int inW, int inH, int outW, int outH, Interpolation filter,
        int cx, int cy, int cw, int ch, ushort* dst)
    {
        if (cx < 0 || cy < 0 || cw <= 0 || ch <= 0 || cx + cw > outW || cy + ch > outH)
            throw new ArgumentOutOfRangeException(nameof(cx), $"Window ({cx}, {cy}, {cw}, {ch}) is outside the {outW}x{outH} output.");
        if (filter == Interpolation.Nearest || (outW == inW && outH == inH))
        {
            var xs = outW == inW && outH == inH ? Identity(cx, cw) : PilResize.NearestIndices(inW, outW, cx, cw);
            var ys = outW == inW && outH == inH ? Identity(cy, ch) : PilResize.NearestIndices(inH, outH, cy, ch);
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++) dst[(long)y * cw + x] = src[ys[y] * stride + xs[x]];
            return;
        }
        // Horizontal pass (skipped when the width is unchanged) on the rows the vertical window reads.
        var kv = outH != inH ? ResampleCoefficients.Get(inH, outH, filter) : null;
        int yFirst = kv is null ? cy : kv.Start[cy];
        int yEnd = kv is null ? cy + ch : kv.Start[cy + ch - 1] + kv.Count[cy + ch - 1];
        var rows = new ushort[(yEnd - yFirst) * cw];
        var kh = outW != inW ? ResampleCoefficients.Get(inW, outW, filter) : null;
        fixed (ushort* r = rows)
        {
            for (int y = yFirst; y < yEnd; y++)
                for (int x = 0; x < cw; x++)
                    r[(y - yFirst) * cw + x] = kh is null ? src[y * stride + cx + x] : Tap(kh, cx + x, src + y * stride, 1);
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++)
                    dst[(long)y * cw + x] = kv is null ? r[(cy + y - yFirst) * cw + x] : Tap(kv, cy + y, r - (long)yFirst * cw + x, cw);
        }
    }

    // One output value: Pillow's ss = sum(pixel * k), ROUND_UP, bytes clipped separately.
    // line[j * step] is input pixel j along the axis.
    private static ushort Tap(ResampleCoefficients k, int o, ushort* line, long step)
    {
        double ss = 0.0;
        int start = k.Start[o], n = k.Count[o], w0 = o * k.KSize;
        for (int j = 0; j < n; j++) ss += line[(start + j) * step] * k.DoubleWeights[w0 + j];
        int v = (int)(ss >= 0.0 ? ss + 0.5 : ss - 0.5);
        int lo = Math.Clamp(v % 256, 0, 255), hi = Math.Clamp(v >> 8, 0, 255);
        return (ushort)(hi << 8 | lo);
    }

    private static int[] Identity(int first, int count) => Enumerable.Range(first, count).ToArray();
}
