using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's <c>Image.resize</c> for 8-bit images (libImaging/Resample.c, 8bpc), reproduced in integer arithmetic:
/// separable, horizontal pass first, each pass sum = 2^21 + sum of pixel * 22-bit weight in int32, clipped to uint8
/// by (sum &gt;&gt; 22); a pass whose size is unchanged is skipped, as Pillow skips it. Bit-identical to Pillow.
/// </summary>
/// <remarks>
/// Only the requested output window is computed (each output pixel depends on its own window only, so this equals
/// resizing everything and cropping): the horizontal pass runs on the input rows the window's vertical taps read and
/// only for the window's columns. Inner loops: horizontal, one pixel's 3-4 bands in the int32 lanes of a 128-bit
/// vector per tap; vertical, 16 contiguous bytes of a row per tap in two 256-bit vectors. Scalar code elsewhere.
/// </remarks>
internal static unsafe class PilResize
{
    private const int Bits = ResampleCoefficients.PrecisionBits;
    private const int Half = 1 << (Bits - 1);
    private const int RowGroup = 4; // rows the AVX-512 horizontal pass does together (weights read once per group)

    /// <summary>
    /// Resizes the <paramref name="inW"/> x <paramref name="inH"/> image at <paramref name="src"/> (uchar,
    /// <paramref name="bands"/> interleaved bands, rows <paramref name="stride"/> bytes apart, <paramref name="readable"/>
    /// bytes valid from <paramref name="src"/>) to <paramref name="outW"/> x <paramref name="outH"/>, and writes the window
    /// [cx, cx + cw) x [cy, cy + ch) of the result to <paramref name="dst"/> (ch rows of cw * bands bytes).
    /// <paramref name="kernel"/>: the fastest inner loops to use (tests compare them with the scalar ones).
    /// </summary>
    public static void Resize(byte* src, long stride, long readable, int bands, int inW, int inH, int outW, int outH,
        Interpolation filter, int cx, int cy, int cw, int ch, byte* dst, ResizeKernel kernel = ResizeKernel.Best)
    {
        if (cx < 0 || cy < 0 || cw <= 0 || ch <= 0 || cx + cw > outW || cy + ch > outH)
            throw new ArgumentOutOfRangeException(nameof(cx), $"Window ({cx}, {cy}, {cw}, {ch}) is outside the {outW}x{outH} output.");
        if (bands is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(bands));
        int rowBytes = cw * bands;
        if (filter == Interpolation.Nearest)
        {
            Nearest(src, stride, bands, inW, inH, outW, outH, cx, cy, cw, ch, dst);
            return;
        }
        bool needH = outW != inW, needV = outH != inH;
        if (!needH && !needV)
        {
            for (int y = 0; y < ch; y++)
                Unsafe.CopyBlockUnaligned(dst + (long)y * rowBytes, src + (cy + y) * stride + cx * bands, (uint)rowBytes);
            return;
        }
        if (!needH)
        {
            Vertical(src + cx * bands, stride, rowBytes, ResampleCoefficients.Get(inH, outH, filter), cy, ch, dst, kernel);
            return;
        }
        var kh = ResampleCoefficients.Get(inW, outW, filter);
        if (!needV)
        {
            Horizontal(src + cy * stride, stride, readable - cy * stride, bands, inW, kh, cx, cw, ch, dst, kernel);
            return;
        }
        var kv = ResampleCoefficients.Get(inH, outH, filter);
        int yFirst = kv.Start[cy], yLast = kv.Start[cy + ch - 1] + kv.Count[cy + ch - 1];
        int rows = yLast - yFirst;
        var tmp = ArrayPool<byte>.Shared.Rent(rows * rowBytes);
        try
        {
            fixed (byte* t = tmp)
            {
                Horizontal(src + yFirst * stride, stride, readable - yFirst * stride, bands, inW, kh, cx, cw, rows, t, kernel);
                Vertical(t - (long)yFirst * rowBytes, rowBytes, rowBytes, kv, cy, ch, dst, kernel);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(tmp); }
    }

    /// <summary>As the pointer overload, for a packed <paramref name="src"/> (rows of inW * bands bytes), into a new array.</summary>
    public static byte[] Resize(ReadOnlySpan<byte> src, int bands, int inW, int inH, int outW, int outH, Interpolation filter,
        int cx, int cy, int cw, int ch, ResizeKernel kernel = ResizeKernel.Best)
    {
        if (src.Length < (long)inW * inH * bands) throw new ArgumentException("Source smaller than inW * inH * bands.", nameof(src));
        var dst = new byte[cw * ch * bands];
        fixed (byte* s = src)
        fixed (byte* d = dst)
            Resize(s, (long)inW * bands, src.Length, bands, inW, inH, outW, outH, filter, cx, cy, cw, ch, d, kernel);
        return dst;
    }

    // Rows [0, rows) of src, output columns [cx, cx + cw) -> dst rows of cw * bands bytes. The vector loops read past
    // the last window byte (AVX-512: up to 31 bytes, AVX2: 15, SSE4.1 with 3 bands: 1); a row where that would leave
    // the buffer (the image's last rows) is read from a padded copy instead.
    private static void Horizontal(byte* src, long stride, long readable, int bands, int inW, ResampleCoefficients k,
        int cx, int cw, int rows, byte* dst, ResizeKernel kernel)
    {
        int rowBytes = cw * bands, inRowBytes = inW * bands;
        ArraySegment<short>? paired = null;
        int path = 0; // 0 scalar, 1 SSE4.1, 2 AVX2, 3 AVX-512
        if (kernel == ResizeKernel.Best && PilResizeAvx512.IsSupported && (paired = k.PairedWeights8) is not null) path = 3;
        else if (kernel <= ResizeKernel.Avx2 && PilResizeAvx2.IsSupported && (paired = k.PairedWeights) is not null) path = 2;
        else if (kernel <= ResizeKernel.Vector128 && bands >= 3 && Sse41.IsSupported) path = 1;
        long lastStart = (long)k.Start[cx + cw - 1] * bands;
        long reach = path switch
        {
            3 => lastStart + PilResizeAvx512.ReadSpan(bands, k.Blocks),
            2 => lastStart + PilResizeAvx2.ReadSpan(bands, k.Chunks),
            1 => inRowBytes + 1,
            _ => inRowBytes,
        };
        byte[]? pad = null;
        try
        {
            fixed (int* start = k.Start, count = k.Count, weights = k.Weights)
            fixed (short* pw = paired is { } table ? table.AsSpan() : default)
            {
                for (int r = 0; r < rows; r++)
                {
                    byte* row = src + r * stride, o = dst + (long)r * rowBytes;
                    if (path == 3 && r + RowGroup <= rows && (r + RowGroup - 1) * stride + reach <= readable)
                    {
                        PilResizeAvx512.HorizontalRows(row, stride, RowGroup, bands, start, pw, k.Blocks, cx, cw, o, rowBytes);
                        r += RowGroup - 1;
                        continue;
                    }
                    if (r * stride + reach <= readable)
                    {
                        Row(path, row, bands, start, count, weights, pw, k, cx, cw, o);
                        continue;
                    }
                    pad ??= ArrayPool<byte>.Shared.Rent((int)Math.Max(reach, inRowBytes));
                    fixed (byte* pp = pad)
                    {
                        Unsafe.CopyBlockUnaligned(pp, row, (uint)inRowBytes);
                        Row(path, pp, bands, start, count, weights, pw, k, cx, cw, o);
                    }
                }
            }
        }
        finally { if (pad is not null) ArrayPool<byte>.Shared.Return(pad); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(int path, byte* row, int bands, int* start, int* count, int* weights, short* paired,
        ResampleCoefficients k, int cx, int cw, byte* o)
    {
        switch (path)
        {
            case 3: PilResizeAvx512.HorizontalRows(row, 0, 1, bands, start, paired, k.Blocks, cx, cw, o, 0); break;
            case 2: PilResizeAvx2.HorizontalRow(row, bands, start, paired, k.Chunks, cx, cw, o); break;
            case 1: HorizontalRowVector(row, bands, start, count, weights, k.KSize, cx, cw, o); break;
            default: HorizontalRowScalar(row, bands, start, count, weights, k.KSize, cx, cw, o); break;
        }
    }

    // 3 or 4 bands: the pixel's bands are the int32 lanes of one vector (for 3 bands the 4th lane is the next
    // pixel's first band, computed and dropped).
    private static void HorizontalRowVector(byte* row, int bands, int* start, int* count, int* weights, int kSize,
        int cx, int cw, byte* outRow)
    {
        var half = Vector128.Create(Half);
        for (int i = 0; i < cw; i++)
        {
            int xo = cx + i;
            byte* p = row + start[xo] * bands;
            int* w = weights + xo * kSize;
            int n = count[xo];
            var acc = half;
            for (int j = 0; j < n; j++, p += bands)
                acc += Sse41.ConvertToVector128Int32(p) * Vector128.Create(w[j]);
            var s = Sse2.ShiftRightArithmetic(acc, Bits);
            var packed = Sse2.PackUnsignedSaturate(Sse2.PackSignedSaturate(s, s), default);
            uint v = packed.AsUInt32().ToScalar();
            byte* o = outRow + i * bands;
            if (bands == 4 || i + 1 < cw) Unsafe.WriteUnaligned(o, v); // the 4th byte is overwritten by the next pixel
            else { o[0] = (byte)v; o[1] = (byte)(v >> 8); o[2] = (byte)(v >> 16); }
        }
    }

    private static void HorizontalRowScalar(byte* row, int bands, int* start, int* count, int* weights, int kSize,
        int cx, int cw, byte* outRow)
    {
        for (int i = 0; i < cw; i++)
        {
            int xo = cx + i;
            byte* p = row + start[xo] * bands;
            int* w = weights + xo * kSize;
            int n = count[xo];
            for (int c = 0; c < bands; c++)
            {
                int s = Half;
                for (int j = 0; j < n; j++) s += p[j * bands + c] * w[j];
                outRow[i * bands + c] = Clip8(s);
            }
        }
    }

    // Output rows [cy, cy + ch): row yo = clip8(sum_j w[yo][j] * src row (start[yo] + j)); src points at row 0.
    private static void Vertical(byte* src, long stride, int rowBytes, ResampleCoefficients k, int cy, int ch, byte* dst,
        ResizeKernel kernel)
    {
        int kSize = k.KSize;
        fixed (int* start = k.Start, count = k.Count, weights = k.Weights)
        {
            for (int y = 0; y < ch; y++)
            {
                int yo = cy + y;
                byte* p0 = src + start[yo] * stride;
                int* w = weights + yo * kSize;
                int n = count[yo];
                byte* o = dst + (long)y * rowBytes;
                int i = kernel == ResizeKernel.Best && PilResizeAvx512.IsSupported ? PilResizeAvx512.VerticalRow(p0, stride, w, n, rowBytes, o) : 0;
                if (Avx2.IsSupported && kernel <= ResizeKernel.Avx2)
                {
                    var half = Vector256.Create(Half);
                    for (; i + 16 <= rowBytes; i += 16)
                    {
                        var a0 = half;
                        var a1 = half;
                        byte* p = p0 + i;
                        for (int j = 0; j < n; j++, p += stride)
                        {
                            var wj = Vector256.Create(w[j]);
                            a0 += Avx2.ConvertToVector256Int32(p) * wj;
                            a1 += Avx2.ConvertToVector256Int32(p + 8) * wj;
                        }
                        a0 = Avx2.ShiftRightArithmetic(a0, Bits);
                        a1 = Avx2.ShiftRightArithmetic(a1, Bits);
                        var s0 = Sse2.PackSignedSaturate(a0.GetLower(), a0.GetUpper());
                        var s1 = Sse2.PackSignedSaturate(a1.GetLower(), a1.GetUpper());
                        Sse2.PackUnsignedSaturate(s0, s1).Store(o + i);
                    }
                }
                for (; i < rowBytes; i++)
                {
                    int s = Half;
                    byte* p = p0 + i;
                    for (int j = 0; j < n; j++, p += stride) s += *p * w[j];
                    o[i] = Clip8(s);
                }
            }
        }
    }

    // Pillow NEAREST (libImaging/Geometry.c, ImagingScaleAffine; also forced for "P" and "1"): the source position
    // starts at 0.5 * in / out and is advanced by adding in / out once per output pixel, in double, truncated to
    // an index. The running sum is not (x + 0.5) * in / out: for e.g. 64 -> 224 it lands just below an integer at
    // 25 of 224 columns and picks the previous pixel, so the same sum is run here. (Pillow leaves a position that
    // would reach past the image unwritten; the sum's error stays under 1e-9 pixel for any real size, far from that.)
    private static void Nearest(byte* src, long stride, int bands, int inW, int inH, int outW, int outH,
        int cx, int cy, int cw, int ch, byte* dst)
    {
        var xs = NearestIndices(inW, outW, cx, cw);
        var ys = NearestIndices(inH, outH, cy, ch);
        for (int y = 0; y < ch; y++)
        {
            byte* row = src + ys[y] * stride;
            byte* o = dst + (long)y * cw * bands;
            for (int i = 0; i < cw; i++)
            {
                byte* p = row + (long)xs[i] * bands;
                for (int c = 0; c < bands; c++) o[i * bands + c] = p[c];
            }
        }
    }

    /// <summary>Pillow's nearest-neighbour source indices for output pixels [first, first + count) of an in -> out axis.</summary>
    internal static int[] NearestIndices(int inSize, int outSize, int first, int count)
    {
        double step = (double)inSize / outSize, pos = step * 0.5;
        var idx = new int[count];
        for (int x = 0; x < first + count; x++, pos += step)
            if (x >= first) idx[x - first] = Math.Min(inSize - 1, (int)pos);
        return idx;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip8(int s) => s >= 1 << Bits << 8 ? (byte)255 : s <= 0 ? (byte)0 : (byte)(s >> Bits);
}
