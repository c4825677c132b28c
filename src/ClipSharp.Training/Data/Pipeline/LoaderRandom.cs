using ClipSharp.Text;

namespace ClipSharp.Data.Pipeline;

/// <summary>
/// The loader's random streams, each a pure function of (seed, epoch, name): shard order, source interleaving and
/// the shuffle buffer use fixed names; per-sample streams (augmentation, caption mix) use the sample key with a
/// per-purpose salt on the seed, so they are independent of each other and of the token-reduction stream
/// (which <see cref="CaptionTokenReducer"/> derives from the unsalted seed and the key).
/// </summary>
internal static class LoaderRandom
{
    public const ulong AugmentSalt = 0xA5A5_1F2E_3D4C_5B6AUL;
    public const ulong MixSalt = 0x5A5A_6B7C_8D9E_0F1AUL;

    public static ReductionRandom For(ulong seed, long epoch, string name) => ReductionRandom.For(seed, epoch, name);

    public static double NextDouble(ref ReductionRandom rng) => (rng.NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A System.Random for the image augmentation of one sample (the Images API takes System.Random;
    /// seeded Random is a fixed algorithm across .NET versions).</summary>
    public static Random Augmentation(ulong seed, long epoch, string key)
    {
        var r = ReductionRandom.For(seed ^ AugmentSalt, epoch, key);
        return new Random((int)(r.NextUInt64() >> 33));
    }

    /// <summary>True when the mix view takes the web caption for this sample.</summary>
    public static bool MixTakesWeb(ulong seed, long epoch, string key, double p)
    {
        var r = ReductionRandom.For(seed ^ MixSalt, epoch, key);
        return NextDouble(ref r) < p;
    }
}
