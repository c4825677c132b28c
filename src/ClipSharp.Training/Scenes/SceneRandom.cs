namespace ClipSharp.Scenes;

/// <summary>
/// A small, fully specified pseudo-random generator (xoshiro256**, seeded through SplitMix64) so that every scene,
/// caption and noise pattern is a pure function of (seed, split, index) on every platform and .NET version.
/// </summary>
public sealed class SceneRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public SceneRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The generator of sample <paramref name="index"/> of <paramref name="split"/> ("train", "eval", "bags", ...).</summary>
    public static SceneRandom For(long seed, string split, long index)
    {
        // FNV-1a over the split name, then mix the three parts so neighbouring indices give unrelated streams.
        ulong h = 14695981039346656037UL;
        foreach (var c in split) { h ^= c; h *= 1099511628211UL; }
        var x = (ulong)seed * 0x9E3779B97F4A7C15UL ^ h;
        var a = SplitMix(ref x);
        x = a ^ ((ulong)index * 0xD1B54A32D192ED03UL);
        return new SceneRandom(SplitMix(ref x));
    }

    /// <summary>A child generator for an independent sub-stream (e.g. another image's caption).</summary>
    public SceneRandom Fork() => new(NextULong());

    /// <summary>The next 64 random bits.</summary>
    public ulong NextULong()
    {
        var result = RotL(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive.");
        return (int)((NextULong() >> 33) % (ulong)n);
    }

    /// <summary>Uniform integer in [lo, hi] (inclusive).</summary>
    public int NextInclusive(int lo, int hi) => lo + Next(hi - lo + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>A uniformly chosen element.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Standard normal sample (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
