using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's filter windows for one axis of a resize (libImaging/Resample.c: <c>precompute_coeffs</c> followed by
/// <c>normalize_coeffs_8bpc</c>), computed once per (input size, output size, filter) and cached.
/// </summary>
/// <remarks>
/// Output pixel x samples centre c = (x + 0.5) * s, s = in / out. The support is the filter's (2 for bicubic, 1 for
/// the triangle) times max(s, 1), so a reduction is antialiased. The window is input pixels [xmin, xmin + count) with
/// xmin = trunc(c - support + 0.5) clamped to 0 and the end trunc(c + support + 0.5) clamped to in; tap j weighs
/// f((xmin + j - c + 0.5) / max(s, 1)); the weights are divided by their sum (so taps cut off at the image edge are
/// renormalised), then stored as fixed point with <see cref="PrecisionBits"/> fraction bits, rounded half away from
/// zero. Every floating-point step is written in Pillow's order so the integer weights come out identical.
/// </remarks>
internal sealed class ResampleCoefficients
{
    /// <summary>Fraction bits of the fixed-point weights: 32 - 8 - 2, so 8-bit data times weight sums fit an int32.</summary>
    public const int PrecisionBits = 22;

    private const int CacheLimit = 4096; // random-resized-crop sizes vary per sample; keep the cache bounded
    private static readonly ConcurrentDictionary<(int, int, Interpolation), ResampleCoefficients> Cache = new();

    /// <summary>Input length along the axis.</summary>
    public int InSize { get; }

    /// <summary>Output length along the axis.</summary>
    public int OutSize { get; }

    /// <summary>Row length of <see cref="Weights"/>: the most taps any output pixel can have (2 ceil(support) + 1).</summary>
    public int KSize { get; }

    /// <summary>Per output pixel, the first input pixel of its window.</summary>
    public int[] Start { get; }

    /// <summary>Per output pixel, the number of taps (input pixels) in its window.</summary>
    public int[] Count { get; }

    /// <summary>(OutSize, KSize) fixed-point weights; entries past Count are 0.</summary>
    public int[] Weights { get; }

    /// <summary>(OutSize, KSize) normalised weights before the fixed-point step (Pillow's 16-bit "I;16" path uses them).</summary>
    public double[] DoubleWeights { get; }

    /// <summary>Taps per chunk of <see cref="PairedWeights"/> (AVX2: 4 taps in 256 bits).</summary>
    public const int ChunkTaps = 4;

    /// <summary>Taps per block of <see cref="PairedWeights8"/> (AVX-512: 8 taps in 512 bits).</summary>
    public const int BlockTaps = 8;

    /// <summary>The longest window (taps).</summary>
    public int MaxCount { get; }

    /// <summary>Chunks of <see cref="ChunkTaps"/> taps that cover the longest window: ceil(max Count / 4).</summary>
    public int Chunks => (MaxCount + ChunkTaps - 1) / ChunkTaps;

    /// <summary>Blocks of <see cref="BlockTaps"/> taps that cover the longest window: ceil(max Count / 8).</summary>
    public int Blocks => (MaxCount + BlockTaps - 1) / BlockTaps;

    private StrongBox<ArraySegment<short>>? _paired, _paired8; // published whole (a reference), never torn

    /// <summary>
    /// The weights laid out for a 16-bit multiply-add (vpmaddwd) over a chunk of 4 taps whose bytes were shuffled to
    /// [c0 of taps 0,1 | c1 of taps 0,1 | c2 .. | c3 ..] (128-bit lane 0) and the same for taps 2, 3 (lane 1), each band
    /// an int16 pair. A 22-bit weight does not fit an int16, so each is split exactly into w = hi * 2^11 + lo with
    /// lo = w &amp; 2047 (0..2047) and hi = w &gt;&gt; 11: per (output pixel, chunk) 16 lo values then 16 hi values, lane
    /// position 8 L + 2 c + t holding the part of tap 4 chunk + 2 L + t. Taps past Count weigh 0. Built on first use.
    /// </summary>
    /// <remarks>
    /// Starts 64-byte aligned. Null when a weight's high part does not fit an int16 (|w| &gt;= 2^26, far beyond
    /// Pillow's kernels).
    /// </remarks>
    public ArraySegment<short>? PairedWeights => Lazy(ref _paired, ChunkTaps);

    /// <summary>
    /// <see cref="PairedWeights"/> for blocks of 8 taps in four 128-bit lanes (lane L: taps 2L, 2L + 1 of the block):
    /// per (output pixel, block) 32 lo values then 32 hi values.
    /// </summary>
    public ArraySegment<short>? PairedWeights8 => Lazy(ref _paired8, BlockTaps);

    // Racing threads may both build the table; the first one published is used by all. Array null: unsupported.
    private ArraySegment<short>? Lazy(ref StrongBox<ArraySegment<short>>? field, int taps)
    {
        var box = Volatile.Read(ref field);
        if (box is null)
        {
            var made = new StrongBox<ArraySegment<short>>(BuildPaired(taps));
            box = Interlocked.CompareExchange(ref field, made, null) ?? made;
        }
        if (box.Value.Array is null) return null;
        return box.Value;
    }

    // The table starts on a 64-byte boundary (a pinned array, offset into it): the kernels load 32 or 64 bytes of
    // weights per pixel, and a load that splits a cache line costs about two.
    private unsafe ArraySegment<short> BuildPaired(int taps)
    {
        int blocks = (MaxCount + taps - 1) / taps, part = 4 * taps; // int16 per lo (or hi) part of a block
        int length = OutSize * blocks * 2 * part;
        var array = GC.AllocateArray<short>(length + 32, pinned: true);
        int offset = (int)((64 - ((nint)Unsafe.AsPointer(ref array[0]) & 63)) & 63) / 2;
        var paired = array.AsSpan(offset, length);
        for (int x = 0; x < OutSize; x++)
            for (int k = 0; k < blocks; k++)
            {
                var block = paired.Slice((x * blocks + k) * 2 * part, 2 * part);
                for (int pos = 0; pos < part; pos++)
                {
                    int tap = k * taps + 2 * (pos >> 3) + (pos & 1);
                    int w = tap < Count[x] ? Weights[x * KSize + tap] : 0;
                    if (w >> 11 is < short.MinValue or > short.MaxValue) return default;
                    block[pos] = (short)(w & 2047);
                    block[part + pos] = (short)(w >> 11);
                }
            }
        return new ArraySegment<short>(array, offset, length);
    }

    /// <summary>The cached windows for <paramref name="filter"/> (bicubic or bilinear).</summary>
    public static ResampleCoefficients Get(int inSize, int outSize, Interpolation filter)
    {
        var key = (inSize, outSize, filter);
        if (Cache.TryGetValue(key, out var cached)) return cached;
        var made = new ResampleCoefficients(inSize, outSize, filter);
        if (Cache.Count >= CacheLimit) Cache.Clear();
        return Cache.GetOrAdd(key, made);
    }

    private ResampleCoefficients(int inSize, int outSize, Interpolation filter)
    {
        if (inSize <= 0 || outSize <= 0) throw new ArgumentOutOfRangeException(nameof(inSize), "Sizes must be positive.");
        if (filter == Interpolation.Nearest) throw new ArgumentException("Nearest neighbour has no filter windows.", nameof(filter));
        InSize = inSize;
        OutSize = outSize;
        double filterSupport = filter == Interpolation.Bicubic ? 2.0 : 1.0;
        double scale = (double)inSize / outSize;
        double filterScale = scale < 1.0 ? 1.0 : scale;
        double support = filterSupport * filterScale;
        KSize = (int)Math.Ceiling(support) * 2 + 1;
        Start = new int[outSize];
        Count = new int[outSize];
        Weights = new int[outSize * KSize];
        DoubleWeights = new double[outSize * KSize];
        var k = new double[KSize];
        double ss = 1.0 / filterScale;
        int maxCount = 0;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Filter(filter, (x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            var row = Weights.AsSpan(xx * KSize, KSize);
            for (int x = 0; x < xmax; x++)
            {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                DoubleWeights[xx * KSize + x] = w;
                row[x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            Start[xx] = xmin;
            Count[xx] = xmax;
            maxCount = Math.Max(maxCount, xmax);
        }
        MaxCount = maxCount;
    }

    // Pillow's filters: the triangle, and Keys' cubic with a = -0.5 (expressions in Pillow's evaluation order).
    private static double Filter(Interpolation filter, double x)
    {
        if (x < 0.0) x = -x;
        if (filter == Interpolation.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        const double a = -0.5;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
}
