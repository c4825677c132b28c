using System.Numerics;
using System.Runtime.CompilerServices;

namespace ClipSharp.Inference;

/// <summary>
/// Exact top-k by dot product over a row-major block of float rows (a memory-mapped index): the rows are split into
/// contiguous ranges, one per thread, each range keeps its own best k, and the ranges are merged in row order.
/// </summary>
/// <remarks>
/// The scan is written so that its first call already runs optimized code: the kernel is one method marked
/// AggressiveOptimization with the dot product inlined (Vector&lt;float&gt; lanes, four accumulators). Calling TensorPrimitives.Dot per row instead left the first seconds of a process (a CLI search, a test) in
/// tier-0 JIT code: 10k x 512 took 14-24 ms per query there against ~1 ms once tiered up.
/// </remarks>
internal static unsafe class TopKScan
{
    /// <summary>
    /// Rows × dim floats per thread below which another thread does not pay off: 8M floats (32 MiB, ~2 ms of
    /// scanning), so 10k x 512 stays on one thread (a cold Parallel.For cost ~35 ms on the first query of a process,
    /// measured; one thread scans it in ~0.5 ms) and 100k x 512 uses up to 6.
    /// </summary>
    private const long MinFloatsPerThread = 1 << 23;

    /// <summary>
    /// The best <paramref name="k"/> (row, score) of <paramref name="count"/> rows at <paramref name="rows"/>, best
    /// first; equal scores keep the lower row first. <paramref name="threads"/> ≤ 0: one per core, fewer for small
    /// blocks.
    /// </summary>
    public static (int Row, float Score)[] Search(float* rows, int count, int dim, ReadOnlySpan<float> query, int k, int threads)
    {
        if (count == 0) return [];
        var q = query.ToArray();
        int t = Math.Min(threads > 0 ? threads : DefaultThreads((long)count * dim), count);
        if (t == 1)
        {
            var best = new TopK(k);
            Scan(rows, dim, q, 0, count, best);
            return best.ToArray();
        }
        var parts = new TopK[t];
        nint basePtr = (nint)rows;
        Parallel.For(0, t, new ParallelOptions { MaxDegreeOfParallelism = t }, p =>
        {
            int from = (int)((long)count * p / t), to = (int)((long)count * (p + 1) / t);
            parts[p] = new TopK(k);
            Scan((float*)basePtr, dim, q, from, to, parts[p]);
        });
        var merged = new TopK(k);
        foreach (var part in parts)            // ranges in row order: ties still favour the lower row
            foreach (var (row, score) in part.ToArray()) merged.Offer(row, score);
        return merged.ToArray();
    }

    /// <summary>The threads a search over <paramref name="floats"/> rows × dim floats uses by default.</summary>
    public static int DefaultThreads(long floats) => (int)Math.Clamp(floats / MinFloatsPerThread, 1, Environment.ProcessorCount);

    // rows [from, to) · q into best; one row at a time with four independent accumulators (a sequential stream per
    // row: interleaving four rows measured ~2x slower on the mapped file)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scan(float* rows, int dim, float[] q, int from, int to, TopK best)
    {
        int w = Vector<float>.Count, w4 = 4 * w;
        fixed (float* qp = q)
            for (int i = from; i < to; i++)
            {
                float* r = rows + (long)i * dim;
                Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
                int j = 0;
                for (; j + w4 <= dim; j += w4)
                {
                    a0 += Unsafe.ReadUnaligned<Vector<float>>(r + j) * Unsafe.ReadUnaligned<Vector<float>>(qp + j);
                    a1 += Unsafe.ReadUnaligned<Vector<float>>(r + j + w) * Unsafe.ReadUnaligned<Vector<float>>(qp + j + w);
                    a2 += Unsafe.ReadUnaligned<Vector<float>>(r + j + 2 * w) * Unsafe.ReadUnaligned<Vector<float>>(qp + j + 2 * w);
                    a3 += Unsafe.ReadUnaligned<Vector<float>>(r + j + 3 * w) * Unsafe.ReadUnaligned<Vector<float>>(qp + j + 3 * w);
                }
                for (; j + w <= dim; j += w) a0 += Unsafe.ReadUnaligned<Vector<float>>(r + j) * Unsafe.ReadUnaligned<Vector<float>>(qp + j);
                float s = Vector.Sum((a0 + a1) + (a2 + a3));
                for (; j < dim; j++) s += r[j] * qp[j];
                if (s > best.Threshold) best.Offer(i, s);
            }
    }

    /// <summary>The best k offers so far, sorted best first (k is small: insertion into a sorted array).</summary>
    private sealed class TopK(int k)
    {
        private readonly int[] _rows = new int[k];
        private readonly float[] _scores = new float[k];
        private int _count;

        /// <summary>A score must exceed this to enter (−∞ while fewer than k are held; NaN never enters).</summary>
        public float Threshold { get; private set; } = float.NegativeInfinity;

        public void Offer(int row, float score)
        {
            if (!(score > Threshold)) return;
            int pos = _count < _scores.Length ? _count : _scores.Length - 1;   // the slot freed (or dropped)
            while (pos > 0 && _scores[pos - 1] < score)                          // strict: equal scores stay ahead
            {
                _scores[pos] = _scores[pos - 1];
                _rows[pos] = _rows[pos - 1];
                pos--;
            }
            _scores[pos] = score;
            _rows[pos] = row;
            if (_count < _scores.Length) _count++;
            if (_count == _scores.Length) Threshold = _scores[^1];
        }

        public (int Row, float Score)[] ToArray()
        {
            var a = new (int, float)[_count];
            for (int i = 0; i < _count; i++) a[i] = (_rows[i], _scores[i]);
            return a;
        }
    }
}
