using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// The random stream of one sample's token reduction: a pure function of (seed, epoch, sample key), so a run is
/// reproducible, resumable mid-epoch and independent of thread scheduling. The key is hashed with 64-bit FNV-1a over
/// its UTF-8 bytes (stable across processes, unlike string.GetHashCode); seed, epoch and hash are folded with the
/// SplitMix64 finalizer into the start state of a SplitMix64 generator (Steele, Lea, Flood 2014).
/// </summary>
public struct ReductionRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    private ReductionRandom(ulong state) => _state = state;

    /// <summary>The stream for one sample in one epoch.</summary>
    public static ReductionRandom For(ulong seed, long epoch, string sampleKey)
    {
        var s = Mix(seed + Gamma);
        s = Mix(s ^ ((ulong)epoch + Gamma));
        s = Mix(s ^ Fnv1a64(sampleKey));
        return new ReductionRandom(s);
    }

    /// <summary>64-bit FNV-1a of the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static ulong Fnv1a64(string key)
    {
        var h = 0xCBF29CE484222325UL;
        Span<byte> buf = stackalloc byte[4];
        foreach (var rune in key.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(buf);
            for (var i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001B3UL;
        }
        return h;
    }

    /// <summary>Next 64 random bits (SplitMix64).</summary>
    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var bound = (ulong)n;
        var high = Math.BigMul(NextUInt64(), bound, out var low);
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold) high = Math.BigMul(NextUInt64(), bound, out low);
        }
        return (int)high;
    }

    /// <summary>
    /// The first <paramref name="k"/> entries of a uniform random permutation of 0..n-1 (partial Fisher–Yates).
    /// </summary>
    public int[] Sample(int n, int k)
    {
        var idx = new int[n];
        for (var i = 0; i < n; i++) idx[i] = i;
        k = Math.Min(k, n);
        for (var i = 0; i < k; i++)
        {
            var j = i + NextInt(n - i);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx[..k];
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
