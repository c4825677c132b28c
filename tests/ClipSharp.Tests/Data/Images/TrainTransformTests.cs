using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Data.Images;

public class TrainTransformTests
{
    private static DecodedImage Sample() => new(TestImages.Rgb(120, 90).CopyMemory(), "gen");

    [Fact]
    public void SameSeedSameOutputDifferentSeedDifferentOutput()
    {
        using var img = Sample();
        var t = new TrainTransform(PreprocessConfig.OpenAi(32), TrainAugmentConfig.Clipa with { ScaleMin = 0.3 });
        var a = t.ApplyBytes(img, new Random(7));
        Assert.Equal(a, t.ApplyBytes(img, new Random(7)));
        Assert.Equal(32 * 32 * 3, a.Length);
        var distinct = Enumerable.Range(0, 6).Select(s => Convert.ToHexString(t.ApplyBytes(img, new Random(s)))).Distinct().Count();
        Assert.True(distinct >= 5, $"only {distinct} distinct outputs for 6 seeds");
        using var tensor = t.Apply(img, new Random(7));
        Assert.Equal(new long[] { 3, 32, 32 }, tensor.shape);
    }

    [Fact]
    public void CropBoxesFitAndFollowTheScaleRange()
    {
        var cfg = TrainAugmentConfig.Default;
        var rng = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            var (top, left, h, w) = RandomResizedCrop.Sample(375, 500, cfg, rng);
            Assert.True(top >= 0 && left >= 0 && top + h <= 375 && left + w <= 500, $"{top},{left},{h},{w}");
            double frac = (double)h * w / (375 * 500);
            Assert.InRange(frac, 0.88, 1.0);
            Assert.InRange((double)w / h, 0.74, 1.34);
        }
        // A sliver that no sampled box fits falls back to the central crop with the aspect clamped to 4/3.
        Assert.Equal((0, 2993, 10, 13), RandomResizedCrop.Sample(10, 6000, cfg, new Random(3)));
    }

    [Fact]
    public void GrayscaleWithProbabilityOneGivesEqualChannels()
    {
        using var img = Sample();
        var t = new TrainTransform(PreprocessConfig.Clips(24), new TrainAugmentConfig(GrayscaleProb: 1.0));
        var px = t.ApplyBytes(img, new Random(3));
        for (int i = 0; i < px.Length; i += 3) Assert.True(px[i] == px[i + 1] && px[i] == px[i + 2]);
    }

    [Fact]
    public void ColorJitterChangesColoursButKeepsGeometry()
    {
        using var img = Sample();
        var plain = new TrainTransform(PreprocessConfig.OpenAi(24));
        var jitter = new TrainTransform(PreprocessConfig.OpenAi(24), TrainAugmentConfig.Clipa with { ColorJitterProb = 1.0, GrayscaleProb = 0 });
        int changed = 0;
        for (int seed = 0; seed < 4; seed++)
        {
            var a = plain.ApplyBytes(img, new Random(seed));
            var b = jitter.ApplyBytes(img, new Random(seed)); // same crop draws come first
            if (!a.SequenceEqual(b)) changed++;
        }
        Assert.True(changed >= 3);
        using var flat = new DecodedImage((NetVips.Image.Black(8, 8, bands: 3) + new double[] { 200, 40, 40 }).Cast(NetVips.Enums.BandFormat.Uchar).CopyMemory(), "flat");
        using var hue = ColorJitter.Hue(flat.Image, 1.0 / 3.0); // red shifted by a third of a turn is green-dominant
        var p = hue.WriteToMemory<byte>();
        Assert.True(p[1] > p[0] && p[1] > p[2], $"{p[0]},{p[1]},{p[2]}");
    }
}
