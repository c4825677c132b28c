using ClipSharp.Data.Images;
using NetVips;

namespace ClipSharp.Tests.Data.Images;

public class EvalGeometryTests
{
    [Theory]
    [InlineData(360, 480, 224, 298)]  // int(224 * 480 / 360) = int(298.67)
    [InlineData(500, 300, 373, 224)]  // portrait: int(224 * 500 / 300) = int(373.33)
    [InlineData(200, 1000, 224, 1120)]
    [InlineData(224, 224, 224, 224)]
    [InlineData(300, 401, 224, 299)]  // int(299.41)
    public void ShortestSideResizeTruncatesTheLongSide(int h, int w, int eh, int ew) =>
        Assert.Equal((eh, ew), EvalTransform.ShortestResizeSize(h, w, 224, 224));

    [Theory]
    [InlineData(373, 224, 74, 0)]   // (373 - 224) / 2 = 74.5 -> 74 (half to even)
    [InlineData(224, 299, 0, 38)]   // 37.5 -> 38
    [InlineData(224, 298, 0, 37)]
    [InlineData(224, 1120, 0, 448)]
    public void CenterCropRoundsHalfToEven(int h, int w, int top, int left) =>
        Assert.Equal((top, left), EvalTransform.CenterCropOffset(h, w, 224, 224));

    [Fact]
    public void KeepRatioUsesMinForShortestAndMaxForLongest()
    {
        Assert.Equal((200, 400), EvalTransform.KeepRatioSize(300, 600, 200, 300, longest: false)); // ratio min(1.5, 2) = 1.5
        Assert.Equal((150, 300), EvalTransform.KeepRatioSize(300, 600, 200, 300, longest: true));  // ratio max = 2
    }

    [Fact]
    public void SquashIgnoresAspectAndShortestCrops()
    {
        using var src = new DecodedImage(TestImages.Rgb(90, 40).CopyMemory(), "gen");
        var squash = new EvalTransform(PreprocessConfig.Clips(32));
        using (var o = squash.ApplyImage(src)) Assert.Equal((32, 32, 3), (o.Width, o.Height, o.Bands));
        // Shortest: 40x90 -> 32x72, crop at left 20. Column 0 of the output = column 20 of the resized image.
        var shortest = new EvalTransform(PreprocessConfig.OpenAi(32));
        using var full = PilResampler.Resize(src.Image, 72, 32, Interpolation.Bicubic);
        var expected = full.ExtractArea(20, 0, 32, 32).WriteToMemory<byte>();
        Assert.Equal(expected, shortest.ApplyBytes(src));
    }

    [Fact]
    public void LongestPadsWithFillColour()
    {
        using var src = new DecodedImage(TestImages.Rgb(64, 32).CopyMemory(), "gen");
        var cfg = PreprocessConfig.OpenAi(32) with { ResizeMode = ResizeMode.Longest, FillColor = 77 };
        var bytes = new EvalTransform(cfg).ApplyBytes(src); // resized to 32x16, padded 8 rows top and bottom
        for (int x = 0; x < 32; x++)
        {
            Assert.Equal(77, bytes[(0 * 32 + x) * 3]);
            Assert.Equal(77, bytes[(7 * 32 + x) * 3 + 2]);
            Assert.Equal(77, bytes[(24 * 32 + x) * 3 + 1]);
        }
        Assert.NotEqual(77, bytes[(8 * 32 + 31) * 3]); // red gradient at the right edge of the content
    }

    [Fact]
    public void NormalizationMatchesTheFormulaAndBatchStacks()
    {
        using var a = new DecodedImage(TestImages.Rgb(50, 40).CopyMemory(), "a");
        using var b = new DecodedImage(TestImages.Rgb(40, 70).CopyMemory(), "b");
        var t = new EvalTransform(PreprocessConfig.OpenAi(16));
        var bytes = t.ApplyBytes(a);
        using var ta = t.Apply(a);
        Assert.Equal(new long[] { 3, 16, 16 }, ta.shape);
        var cfg = t.Config;
        for (int c = 0; c < 3; c++)
            Assert.Equal((bytes[(5 * 16 + 7) * 3 + c] / 255f - cfg.Mean[c]) / cfg.Std[c], ta[c, 5, 7].item<float>());
        using var batch = t.ApplyBatch([a, b]);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.shape);
        using var tb = t.Apply(b);
        Assert.True(batch[0].eq(ta).all().item<bool>());
        Assert.True(batch[1].eq(tb).all().item<bool>());
    }

    [Fact]
    public void ResamplerHandlesEnlargeReduceAndMixedAxes()
    {
        using var src = TestImages.Rgb(40, 30).CopyMemory();
        foreach (var (w, h) in new[] { (80, 60), (13, 9), (80, 9), (13, 60), (40, 30) })
            foreach (var f in new[] { Interpolation.Bicubic, Interpolation.Bilinear, Interpolation.Nearest })
            {
                using var r = PilResampler.Resize(src, w, h, f);
                Assert.Equal((w, h, 3, Enums.BandFormat.Uchar), (r.Width, r.Height, r.Bands, r.Format));
                // A constant image stays constant (weights renormalise to 1 at the edges too).
                using var flat = (Image.Black(40, 30, bands: 3) + 123).Cast(Enums.BandFormat.Uchar);
                using var rf = PilResampler.Resize(flat, w, h, f);
                Assert.Equal(123.0, rf.Min());
                Assert.Equal(123.0, rf.Max());
            }
    }
}
