using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using NetVips;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// JPEG shrink-on-load (libjpeg DCT scaling) versus a full decode, on a 1920x1440 JPEG made from a fixture photo.
/// Measured (OpenAI 224 transform): margin 2 (shrink x2 here) max 2 levels, mean 0.16; margin 1 (x4) max 5, mean 0.29.
/// It is therefore off by default (OpenCLIP parity) and, when on, used with margin 2.
/// </summary>
public class ShrinkOnLoadTests(ITestOutputHelper output)
{
    [SharedFact]
    public void ShrinkOnLoadStaysCloseToAFullDecode()
    {
        var dir = TestPaths.NewTempDir("clipsharp-shrink");
        var photo = Path.Combine(TestPaths.Fixtures, "openclip", "preprocess", "images", "landscape_rgb.png");
        var big = Path.Combine(dir, "big.jpg");
        using (var src = Image.NewFromFile(photo)) src.Resize(4.0, kernel: Enums.Kernel.Cubic).Jpegsave(big, q: 92);

        var cfg = PreprocessConfig.OpenAi();
        var plain = new EvalTransform(cfg);
        byte[] full;
        using (var whole = plain.Decode(big)) full = plain.ApplyBytes(whole);
        foreach (var (margin, maxAllowed) in new[] { (2.0, 3), (1.0, 6) })
        {
            var t = new EvalTransform(cfg, new ImageDecoder(new ImageDecoderOptions(ShrinkOnLoad: true, ShrinkMargin: margin)));
            using var img = t.Decode(big);
            var shrunk = t.ApplyBytes(img);
            int max = 0; long sum = 0;
            for (int i = 0; i < full.Length; i++) { int d = Math.Abs(full[i] - shrunk[i]); max = Math.Max(max, d); sum += d; }
            output.WriteLine($"margin {margin}: shrink x{img.ShrinkFactor} ({img.Width}x{img.Height}), max |diff| {max} levels, mean {(double)sum / full.Length:F3}");
            Assert.True(img.ShrinkFactor > 1);
            Assert.True(max <= maxAllowed, $"margin {margin}: max diff {max} > {maxAllowed}");
        }
    }
}
