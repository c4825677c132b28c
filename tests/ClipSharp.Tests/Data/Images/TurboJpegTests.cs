using ClipSharp.Data.Images;
using NetVips;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// The libturbojpeg route of the JPEG fast path: every <see cref="FastJpegTests"/> test again through it, plus shrink
/// factors on awkward sizes and the EXIF orientation check. CI installs libturbojpeg0 (.ci/run). Where the library is
/// missing (a fresh Debian 12 without it) the route is off, the decoder falls back, the inherited tests check the Skia route
/// instead, and the turbojpeg-only tests are reported as skipped with the reason, like the MPI tests.
/// </summary>
public class TurboJpegTests(ITestOutputHelper output) : FastJpegTests(output, turbo: true)
{
    private static readonly ImageDecoder Vips = new(new ImageDecoderOptions(FastJpeg: false));

    [TurboJpegFact]
    public void LibturbojpegIsLoaded() => Assert.True(TurboJpeg.IsAvailable);

    [TurboJpegTheory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void ShrinkOnLoadMatchesLibvipsOnOddSizes(int factor)
    {
        var o = new ImageDecoderOptions(ShrinkOnLoad: true, ShrinkMargin: 1.0);
        int taken = 0;
        foreach (var (w, h) in new[] { (3, 5), (9, 17), (17, 9), (37, 19), (101, 57), (500, 375) })
        {
            if (Math.Min(w, h) < factor) continue;
            foreach (bool progressive in new[] { false, true })
            {
                using var src = TestImages.Rgb(w, h);
                var bytes = src.JpegsaveBuffer(q: 80, interlace: progressive);
                int side = Math.Min(w, h) / factor;
                using var a = new ImageDecoder(o with { FastJpeg = false }).Decode(bytes, "s.jpg", (side, side));
                using var b = new ImageDecoder(o).Decode(bytes, "s.jpg", (side, side));
                Assert.Equal(factor, a.ShrinkFactor);
                FastJpegTests.AssertSame(a, b, $"{w}x{h} /{factor} progressive {progressive}");
                Assert.True(JpegHeader.TryRead(bytes, out var hd));
                using var direct = TurboJpeg.TryDecode(bytes, hd, factor);
                if (direct is not null) taken++;
            }
        }
        Assert.True(taken >= 4, $"libturbojpeg took only {taken} of the shrunk decodes");
    }

    [TurboJpegFact]
    public void ACorruptFileDoesNotTurnTheThreadsFastPathOff()
    {
        using var src = TestImages.Rgb(64, 48);
        var good = src.JpegsaveBuffer(q: 90);
        Assert.True(JpegHeader.TryRead(good, out var h));
        // Same marker structure, but the first quantisation table names table 15 (libjpeg: "Bogus DQT index 15").
        var bad = (byte[])good.Clone();
        int dqt = good.AsSpan().IndexOf(new byte[] { 0xFF, 0xDB });
        Assert.True(dqt > 0);
        bad[dqt + 4] = 0x0F;
        Assert.True(JpegHeader.TryRead(bad, out var hb), "the corrupt copy should still pass the header check");
        Assert.Null(TurboJpeg.TryDecode(bad, hb, 1));
        using var after = TurboJpeg.TryDecode(good, h, 1);
        Assert.NotNull(after);   // before the fix: null on this thread from here on ("Improper call to JPEG library in state 201")
    }

    [TurboJpegFact]
    public void ExifOrientationOneIsDecodedAndOthersAreLeftToLibvips()
    {
        using var src = TestImages.Rgb(80, 40).CopyMemory();
        foreach (int orientation in new[] { 1, 3, 6, 8 })
        {
            using var tagged = src.Mutate(m => m.Set(GValue.GIntType, "orientation", orientation));
            var bytes = tagged.JpegsaveBuffer();
            Assert.True(JpegHeader.TryRead(bytes, out var h));
            Assert.Equal(orientation == 1, JpegExif.IsUpright(bytes, h.FirstScan));
            using var a = Vips.Decode(bytes, "o.jpg");
            using var b = new ImageDecoder().Decode(bytes, "o.jpg");
            FastJpegTests.AssertSame(a, b, $"orientation {orientation}");
        }
        var plain = src.JpegsaveBuffer(keep: Enums.ForeignKeep.None);
        Assert.True(JpegHeader.TryRead(plain, out var ph));
        Assert.True(JpegExif.IsUpright(plain, ph.FirstScan));
    }

    [TurboJpegFact]
    public void TheSwitchTurnsItOff()
    {
        using var big = TestImages.Rgb(300, 200);
        var bytes = big.JpegsaveBuffer();
        Assert.True(JpegHeader.TryRead(bytes, out var h));
        using (var on = FastJpegDecoder.TryDecode(bytes, h, 1, ImageDecoderOptions.Default)) Assert.NotNull(on);
        using (var off = FastJpegDecoder.TryDecode(bytes, h, 1, ImageDecoderOptions.Default with { TurboJpeg = false })) Assert.Null(off);
    }
}

/// <summary>A fact that runs only where libturbojpeg.so.0 loads; otherwise it is skipped with the reason.</summary>
public sealed class TurboJpegFactAttribute : FactAttribute
{
    internal const string Missing = "libturbojpeg.so.0 is not installed (apt-get install libturbojpeg0): the turbojpeg decode route is untested here";

    public TurboJpegFactAttribute()
    {
        if (!TurboJpeg.IsAvailable) Skip = Missing;
    }
}

/// <summary>A theory that runs only where libturbojpeg.so.0 loads; otherwise it is skipped with the reason.</summary>
public sealed class TurboJpegTheoryAttribute : TheoryAttribute
{
    public TurboJpegTheoryAttribute()
    {
        if (!TurboJpeg.IsAvailable) Skip = TurboJpegFactAttribute.Missing;
    }
}
