using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ClipSharp.Data.Images;

/// <summary>
/// The horizontal pass of <see cref="PilResize"/> with AVX2 16-bit multiply-adds, same integers as Pillow: per output
/// pixel, chunks of 4 taps are loaded as 16 bytes, shuffled to one int16 pair (two taps) per band, and multiplied by
/// <see cref="ResampleCoefficients.PairedWeights"/> (each 22-bit weight split into hi * 2^11 + lo, both int16), so
/// sum = sum(pixel * lo) + (sum(pixel * hi) &lt;&lt; 11) in int32 equals Pillow's sum exactly (it fits int32, the
/// wrap-around of the partial terms cancels). Pairs of output pixels share the lane reduction and rounding, fours the
/// packing.
/// </summary>
internal static unsafe class PilResizeAvx2
{
    private const int Bits = ResampleCoefficients.PrecisionBits;
    private const int Half = 1 << (Bits - 1);

    // Per band count (1-4; entry 0 unused), built once.
    private static readonly Vector256<byte>[] Masks = [default, ShuffleMask(1), ShuffleMask(2), ShuffleMask(3), ShuffleMask(4)];

    /// <summary>True where the CPU has AVX2.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Bytes read past the start of output pixel x's window: its chunks read 16 bytes each, 4 * bands apart, so
    /// reading ends at start * bands + this.
    /// </summary>
    public static int ReadSpan(int bands, int chunks) => 4 * bands * (chunks - 1) + 16;

    /// <summary>
    /// One row: output pixels [cx, cx + cw) of the kernel (<paramref name="start"/>, <paramref name="paired"/>) from <paramref name="row"/> (bands interleaved) to
    /// <paramref name="outRow"/> (cw * bands bytes). Reads up to <see cref="ReadSpan"/> bytes from each window start.
    /// </summary>
    public static void HorizontalRow(byte* row, int bands, int* start, short* paired, int chunks, int cx, int cw, byte* outRow)
    {
        var mask = Masks[bands];
        int step = 4 * bands, rowBytes = cw * bands, block = chunks * 32;
        int i = 0;
        // Four output pixels per iteration share the packing; all four 4-byte stores must stay inside the row.
        for (; i + 4 <= cw && (i + 3) * bands + 4 <= rowBytes; i += 4)
        {
            int xo = cx + i;
            var ab = Pair(row, bands, start + xo, paired + xo * block, chunks, step, block, mask);
            var cd = Pair(row, bands, start + xo + 2, paired + (xo + 2) * block, chunks, step, block, mask);
            var p16 = Avx2.PackSignedSaturate(ab, cd);                      // [A C | B D] as int16
            var p8 = Avx2.PackUnsignedSaturate(p16, p16).AsUInt32();        // elements 0 = A, 1 = C, 4 = B, 5 = D
            byte* o = outRow + i * bands;
            Unsafe.WriteUnaligned(o, p8.GetElement(0));
            Unsafe.WriteUnaligned(o + bands, p8.GetElement(4));
            Unsafe.WriteUnaligned(o + 2 * bands, p8.GetElement(1));
            Unsafe.WriteUnaligned(o + 3 * bands, p8.GetElement(5));
        }
        for (; i < cw; i++)
        {
            int xo = cx + i;
            var a = Pixel(row + start[xo] * bands, paired + xo * block, chunks, step, mask);
            var s = Sse2.ShiftRightArithmetic(a.GetLower() + a.GetUpper() + Vector128.Create(Half), Bits);
            var p16 = Sse2.PackSignedSaturate(s, s);
            Store(outRow, i, bands, rowBytes, Sse2.PackUnsignedSaturate(p16, p16).AsUInt32().ToScalar());
        }
    }

    // Output pixels start[0] and start[1]: [band sums of the first | of the second], rounded and shifted.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pair(byte* row, int bands, int* start, short* w, int chunks, int step, int block, Vector256<byte> mask)
    {
        var a = Pixel(row + start[0] * bands, w, chunks, step, mask);
        var b = Pixel(row + start[1] * bands, w + block, chunks, step, mask);
        var s = Avx2.Permute2x128(a, b, 0x20) + Avx2.Permute2x128(a, b, 0x31);
        return Avx2.ShiftRightArithmetic(s + Vector256.Create(Half), Bits);
    }

    // Lane L (taps 2L, 2L + 1 of the chunk) holds per band c the int32 pair sum pixel[2L] * w + pixel[2L + 1] * w'.
    // The chunk's 16 bytes are broadcast to both lanes and shuffled straight to zero-extended int16.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pixel(byte* p, short* w, int chunks, int step, Vector256<byte> mask)
    {
        var x = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(p), mask).AsInt16();
        var lo = Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w));
        var hi = Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 16));
        for (int k = 1; k < chunks; k++)
        {
            p += step;
            w += 32;
            x = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(p), mask).AsInt16();
            lo += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w));
            hi += Avx2.MultiplyAddAdjacent(x, Avx.LoadVector256(w + 16));
        }
        return lo + Avx2.ShiftLeftLogical(hi, 11);
    }

    // Byte q of the shuffled chunk (both lanes hold the chunk's 16 bytes): int16 e = q / 2 (odd bytes are its zero high
    // half), lane L = e / 8, band c = (e % 8) / 2, tap t = e % 2 -> source byte (2L + t) * bands + c, or zero (0x80)
    // for a band the image does not have.
    private static Vector256<byte> ShuffleMask(int bands)
    {
        Span<byte> m = stackalloc byte[32];
        for (int q = 0; q < 32; q++)
        {
            int e = q >> 1, lane = e >> 3, c = (e & 7) >> 1, t = e & 1;
            m[q] = (q & 1) == 0 && c < bands ? (byte)((2 * lane + t) * bands + c) : (byte)0x80;
        }
        return Vector256.Create((ReadOnlySpan<byte>)m);
    }

    // Writes the low `bands` bytes of v for output pixel i: 4 bytes at once where the row has room (the extra bytes
    // belong to the following pixels and are written again by them).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(byte* outRow, int i, int bands, int rowBytes, uint v)
    {
        byte* o = outRow + i * bands;
        if (i * bands + 4 <= rowBytes) Unsafe.WriteUnaligned(o, v);
        else
            for (int c = 0; c < bands; c++) o[c] = (byte)(v >> (8 * c));
    }
}
