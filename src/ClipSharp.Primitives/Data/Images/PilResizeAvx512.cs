using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Data.Images;

/// <summary>
/// The horizontal pass of <see cref="PilResize"/> with AVX-512 (BW + VBMI), the same exact arithmetic as
/// <see cref="PilResizeAvx2"/> on blocks of 8 taps: per output pixel one 32-byte load, one byte permute that spreads
/// the block to one zero-extended int16 pair (two taps) per band in each of four 128-bit lanes, and two multiply-adds
/// with <see cref="ResampleCoefficients.PairedWeights8"/> (w = hi * 2^11 + lo). Four output pixels share one lane
/// transpose-and-add, rounding, saturation (vpmaxsd + vpmovusdb) and one 16-byte store; several rows share the weight
/// reads.
/// </summary>
internal static unsafe class PilResizeAvx512
{
    private const int Bits = ResampleCoefficients.PrecisionBits;
    private const int Half = 1 << (Bits - 1);

    // Per band count (1-4; entry 0 unused), built once: making them costs about as much as a row of pixels.
    private static readonly Vector512<byte>[] Indexes = [default, PermuteIndex(1), PermuteIndex(2), PermuteIndex(3), PermuteIndex(4)];
    private static readonly Vector128<byte>[] Compacts = [default, CompactMask(1), CompactMask(2), CompactMask(3), CompactMask(4)];

    /// <summary>True where the CPU has AVX-512 F, BW and VBMI.</summary>
    public static bool IsSupported => Avx512F.IsSupported && Avx512BW.IsSupported && Avx512Vbmi.IsSupported;

    /// <summary>
    /// Bytes read past the start of an output pixel's window: a 32-byte load per block (8 taps of up to 4 bands),
    /// 8 * bands apart. (32, not 64: a 64-byte load at any offset splits across cache lines, measured ~17% slower.)
    /// </summary>
    public static int ReadSpan(int bands, int blocks) => 8 * bands * (blocks - 1) + 32;

    /// <summary>
    /// As <see cref="PilResizeAvx2.HorizontalRow"/> for <paramref name="rows"/> rows (<paramref name="stride"/> bytes
    /// apart; output rows <paramref name="outStride"/> apart) at once: each group of four output pixels is done for
    /// every row before the next, so its weights are read from memory once and from L1 for the other rows (the table
    /// is ~128 bytes per pixel and block, too big for L1 as a whole). Reads up to <see cref="ReadSpan"/> bytes per window.
    /// </summary>
    public static void HorizontalRows(byte* row, long stride, int rows, int bands, int* start, short* paired, int blocks,
        int cx, int cw, byte* outRow, long outStride)
    {
        var index = Indexes[bands];
        var compact = Compacts[bands];
        int step = 8 * bands, rowBytes = cw * bands, block = blocks * 64;
        var half = Vector512.Create(Half);
        int i = 0;
        for (; i + 4 <= cw && i * bands + 16 <= rowBytes; i += 4)
        {
            int xo = cx + i;
            short* w = paired + xo * block;
            byte* p0 = row + start[xo] * bands, p1 = row + start[xo + 1] * bands;
            byte* p2 = row + start[xo + 2] * bands, p3 = row + start[xo + 3] * bands, o = outRow + i * bands;
            for (int r = 0; r < rows; r++, p0 += stride, p1 += stride, p2 += stride, p3 += stride, o += outStride)
            {
                var a = Pixel(p0, w, blocks, step, index);
                var b = Pixel(p1, w + block, blocks, step, index);
                var c = Pixel(p2, w + 2 * block, blocks, step, index);
                var d = Pixel(p3, w + 3 * block, blocks, step, index);
                // Lane transpose: ab = [a0+a1, a2+a3, b0+b1, b2+b3], then [a | b | c | d] band sums.
                var ab = Avx512F.Shuffle4x128(a, b, 0x88) + Avx512F.Shuffle4x128(a, b, 0xDD);
                var cd = Avx512F.Shuffle4x128(c, d, 0x88) + Avx512F.Shuffle4x128(c, d, 0xDD);
                var s = Avx512F.Shuffle4x128(ab, cd, 0x88) + Avx512F.Shuffle4x128(ab, cd, 0xDD);
                s = Avx512F.Max(Avx512F.ShiftRightArithmetic(s + half, Bits), Vector512<int>.Zero);
                var bytes = Avx512F.ConvertToVector128ByteWithSaturation(s.AsUInt32()); // 4 bytes per pixel
                // 4 * bands bytes of pixels, then junk inside the row that the next pixels overwrite.
                Ssse3.Shuffle(bytes, compact).Store(o);
            }
        }
        for (; i < cw; i++)
        {
            int xo = cx + i;
            byte* p = row + start[xo] * bands, o = outRow + i * bands;
            for (int r = 0; r < rows; r++, p += stride, o += outStride)
            {
                var a = Pixel(p, paired + xo * block, blocks, step, index);
                var h = a.GetLower() + a.GetUpper();
                var q = Sse2.ShiftRightArithmetic(h.GetLower() + h.GetUpper() + Vector128.Create(Half), Bits);
                var p16 = Sse2.PackSignedSaturate(q, q);
                uint v = Sse2.PackUnsignedSaturate(p16, p16).AsUInt32().ToScalar();
                for (int ch = 0; ch < bands; ch++) o[ch] = (byte)(v >> (8 * ch));
            }
        }
    }

    /// <summary>
    /// The vertical pass for one output row, 64 bytes at a time: o[i] = clip8(2^21 + sum_j w[j] * p0[j * stride + i])
    /// in int32 lanes (vpmovzxbd + vpmulld), saturated with vpmaxsd + vpmovusdb. Returns how many bytes it did (a
    /// multiple of 64); the caller finishes the row.
    /// </summary>
    public static int VerticalRow(byte* p0, long stride, int* w, int n, int rowBytes, byte* o)
    {
        var half = Vector512.Create(Half);
        int i = 0;
        for (; i + 64 <= rowBytes; i += 64)
        {
            var a0 = half;
            var a1 = half;
            var a2 = half;
            var a3 = half;
            byte* p = p0 + i;
            for (int j = 0; j < n; j++, p += stride)
            {
                var wj = Vector512.Create(w[j]);
                a0 += Avx512F.ConvertToVector512Int32(Vector128.Load(p)) * wj;
                a1 += Avx512F.ConvertToVector512Int32(Vector128.Load(p + 16)) * wj;
                a2 += Avx512F.ConvertToVector512Int32(Vector128.Load(p + 32)) * wj;
                a3 += Avx512F.ConvertToVector512Int32(Vector128.Load(p + 48)) * wj;
            }
            Clip(a0).Store(o + i);
            Clip(a1).Store(o + i + 16);
            Clip(a2).Store(o + i + 32);
            Clip(a3).Store(o + i + 48);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Clip(Vector512<int> sum) =>
        Avx512F.ConvertToVector128ByteWithSaturation(Avx512F.Max(Avx512F.ShiftRightArithmetic(sum, Bits), Vector512<int>.Zero).AsUInt32());

    // Lane L (taps 2L, 2L + 1 of the block) holds per band c the int32 pair sum, all blocks added.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Pixel(byte* p, short* w, int blocks, int step, Vector512<byte> index)
    {
        var x = Avx512Vbmi.PermuteVar64x8x2(Vector512<byte>.Zero, index, Vector256.Load(p).ToVector512Unsafe()).AsInt16();
        var lo = Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(w));
        var hi = Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(w + 32));
        for (int k = 1; k < blocks; k++)
        {
            p += step;
            w += 64;
            x = Avx512Vbmi.PermuteVar64x8x2(Vector512<byte>.Zero, index, Vector256.Load(p).ToVector512Unsafe()).AsInt16();
            lo += Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(w));
            hi += Avx512BW.MultiplyAddAdjacent(x, Vector512.Load(w + 32));
        }
        return lo + Avx512F.ShiftLeftLogical(hi, 11);
    }

    // Byte q: int16 e = q / 2 (odd bytes: its zero high half), lane L = e / 8, band c = (e % 8) / 2, tap t = e % 2 ->
    // source byte (2L + t) * bands + c of the loaded block (0x40 | it: the permute's second table), or byte 0 of the
    // zero table.
    private static Vector512<byte> PermuteIndex(int bands)
    {
        Span<byte> m = stackalloc byte[64];
        for (int q = 0; q < 64; q++)
        {
            int e = q >> 1, lane = e >> 3, c = (e & 7) >> 1, t = e & 1;
            m[q] = (q & 1) == 0 && c < bands ? (byte)(0x40 | ((2 * lane + t) * bands + c)) : (byte)0;
        }
        return Vector512.Create((ReadOnlySpan<byte>)m);
    }

    // Four 4-byte pixels -> their first `bands` bytes, packed.
    private static Vector128<byte> CompactMask(int bands)
    {
        Span<byte> m = stackalloc byte[16];
        for (int j = 0; j < 16; j++) m[j] = j < 4 * bands ? (byte)(4 * (j / bands) + j % bands) : (byte)0x80;
        return Vector128.Create((ReadOnlySpan<byte>)m);
    }
}
