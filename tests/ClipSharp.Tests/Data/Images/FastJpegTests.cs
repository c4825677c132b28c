using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using NetVips;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// The Skia JPEG fast path against the libvips decode it replaces: the same pixels on every JPEG it takes, the
/// same error (or the same result) on every truncated or corrupted one, and libvips for what it must not take.
/// <see cref="TurboJpegTests"/> runs every test here again through the libturbojpeg route.
/// </summary>
public class FastJpegTests
{
    private readonly ITestOutputHelper output;
    private readonly string _dir = TestPaths.NewTempDir("clipsharp-fastjpeg");
    private static readonly ImageDecoder Vips = new(new ImageDecoderOptions(FastJpeg: false));
    // Every size through the fast path here (by default Skia stops at 224 x 224, where libvips gets faster).
    private readonly ImageDecoderOptions AnySize;
    private readonly ImageDecoder Fast;

    /// <summary>True when the tests run through libturbojpeg, false for Skia.</summary>
    protected bool Turbo { get; }

    public FastJpegTests(ITestOutputHelper output) : this(output, turbo: false) { }

    protected FastJpegTests(ITestOutputHelper output, bool turbo)
    {
        this.output = output;
        Turbo = turbo && TurboJpeg.IsAvailable; // the route in use: without the library the fast path is Skia
        AnySize = new(FastJpegMaxPixels: long.MaxValue, TurboJpeg: turbo);
        Fast = new(AnySize);
    }

    public static TheoryData<int, int, int, bool, bool, bool> Encodings()
    {
        var d = new TheoryData<int, int, int, bool, bool, bool>();
        foreach (var (w, h) in new[] { (64, 64), (37, 19), (500, 375), (1, 1) })
            foreach (int q in new[] { 50, 92 })
                foreach (bool subsample in new[] { true, false })
                    d.Add(w, h, q, subsample, false, false);
        d.Add(64, 64, 92, true, true, false);   // progressive
        d.Add(120, 90, 75, true, true, false);
        d.Add(64, 64, 92, false, false, true);  // grey
        d.Add(101, 57, 50, false, true, true);  // grey progressive
        return d;
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void GeneratedJpegsDecodeToTheSamePixels(int w, int h, int q, bool subsample, bool progressive, bool grey)
    {
        using var src = grey ? TestImages.Rgb(w, h).ExtractBand(1).Copy(interpretation: Enums.Interpretation.Bw) : TestImages.Rgb(w, h);
        var bytes = src.JpegsaveBuffer(q: q, interlace: progressive,
            subsampleMode: subsample ? Enums.ForeignSubsample.On : Enums.ForeignSubsample.Off);
        AssertFastAndSame(bytes, $"{w}x{h} q{q}");
        var path = Path.Combine(_dir, "g.jpg");
        File.WriteAllBytes(path, bytes);
        using var a = Vips.Decode(path);
        using var b = Fast.Decode(path);
        AssertSame(a, b, path);
    }

    [SharedFact]
    public void BenchJpegsDecodeToTheSamePixels()
    {
        var folder = Path.Combine(TestPaths.SharedRoot, "bench", "jpegs-500x375");
        var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Where((_, i) => i % 10 == 0).ToArray();
        Assert.NotEmpty(files);
        foreach (var f in files) AssertFastAndSame(File.ReadAllBytes(f), f);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void ShrinkOnLoadMatchesLibjpegScaling(int factor)
    {
        foreach (var (w, h) in new[] { (512, 384), (333, 250) })
        {
            using var src = TestImages.Rgb(w, h);
            var bytes = src.JpegsaveBuffer(q: 85);
            var o = AnySize with { ShrinkOnLoad = true, ShrinkMargin = 1.0 };
            int side = Math.Min(w, h) / factor; // margin 1: the largest target side that still allows this factor, not twice it
            using var a = new ImageDecoder(o with { FastJpeg = false }).Decode(bytes, "s.jpg", (side, side));
            using var b = new ImageDecoder(o).Decode(bytes, "s.jpg", (side, side));
            Assert.Equal(factor, a.ShrinkFactor);
            Assert.True(JpegHeader.TryRead(bytes, out var hd));
            using (var direct = FastJpegDecoder.TryDecode(bytes, hd, factor, o)) Assert.NotNull(direct);
            AssertSame(a, b, $"{w}x{h} /{factor}");
        }
    }

    [Fact]
    public void RotatedCmykAndTwelveBitFilesAreLeftToLibvips()
    {
        using var src = TestImages.Rgb(60, 20).CopyMemory();
        using var tagged = src.Mutate(m => m.Set(GValue.GIntType, "orientation", 6));
        var rotated = tagged.JpegsaveBuffer();
        Assert.True(JpegHeader.TryRead(rotated, out var h));
        Assert.Null(FastJpegDecoder.TryDecode(rotated, h, 1, AnySize));
        using (var big = TestImages.Rgb(300, 200))
        {
            var bigBytes = big.JpegsaveBuffer();
            Assert.True(JpegHeader.TryRead(bigBytes, out var bh));
            using var d = FastJpegDecoder.TryDecode(bigBytes, bh, 1, ImageDecoderOptions.Default with { TurboJpeg = Turbo });
            Assert.True(Turbo == d is not null, "Skia stops at FastJpegMaxPixels, libturbojpeg does not");
        }
        using (var d = Fast.Decode(rotated, "rot.jpg")) Assert.Equal((20, 60), (d.Width, d.Height));
        var keepOrientation = AnySize with { AutoOrient = false };
        using (var direct = FastJpegDecoder.TryDecode(rotated, h, 1, keepOrientation)) Assert.NotNull(direct);
        using (var a = new ImageDecoder(keepOrientation with { FastJpeg = false }).Decode(rotated, "r.jpg"))
        using (var b = new ImageDecoder(keepOrientation).Decode(rotated, "r.jpg"))
            AssertSame(a, b, "orientation kept");

        using var cmyk = src.Colourspace(Enums.Interpretation.Cmyk);
        var cmykBytes = cmyk.JpegsaveBuffer();
        Assert.True(JpegHeader.TryRead(cmykBytes, out var ch));
        Assert.False(FastJpegDecoder.IsPlain(ch));
        using (var d = Fast.Decode(cmykBytes, "cmyk.jpg")) Assert.Equal((PilMode.Cmyk, 4), (d.Mode, d.Bands));

        // A 12-bit frame header (precision byte patched): not ours, whatever libvips then makes of it.
        var twelve = src.JpegsaveBuffer();
        int sof = IndexOfMarker(twelve, 0xC0);
        twelve[sof + 4] = 12;
        Assert.True(JpegHeader.TryRead(twelve, out var th));
        Assert.False(FastJpegDecoder.IsPlain(th));
    }

    [Fact]
    public void TheMaxPixelsGuardStillApplies()
    {
        using var src = TestImages.Rgb(100, 100);
        var bytes = src.JpegsaveBuffer();
        var e = Assert.Throws<ClipSharpException>(() => new ImageDecoder(AnySize with { MaxPixels = 9999 }).Decode(bytes, "big.jpg"));
        Assert.Contains("decompression bomb", e.Message);
        Assert.Contains("100x100", e.Message);
    }

    /// <summary>
    /// Every truncation and random byte corruption gets the same verdict and reason from both decoders. Where libvips
    /// accepts a corrupt entropy stream (libjpeg only warns about a bad Huffman code, and libvips fails on errors, not
    /// warnings) both return garbage, and that garbage may differ (measured: 4 of 90 variants); no marker-level
    /// damage or truncation gets that far, because the fast path checks the marker structure first.
    /// </summary>
    [Fact]
    public void TruncatedAndCorruptJpegsGiveTheSameOutcomeAsLibvips()
    {
        using var src = TestImages.Rgb(96, 64);
        foreach (bool progressive in new[] { false, true })
        {
            var good = src.JpegsaveBuffer(q: 90, interlace: progressive);
            int scan = IndexOfMarker(good, 0xDA);
            var variants = new List<(string, byte[])>();
            foreach (double frac in new[] { 0.1, 0.35, 0.6, 0.9 }) variants.Add(($"cut {frac}", good[..(int)(good.Length * frac)]));
            variants.Add(("no EOI", good[..^2]));
            var rng = new Random(7);
            for (int k = 0; k < 40; k++)
            {
                var bad = (byte[])good.Clone();
                int flips = 1 + k % 4;
                for (int j = 0; j < flips; j++) bad[rng.Next(scan + 20, bad.Length - 2)] = (byte)rng.Next(256);
                variants.Add(($"flip {k}", bad));
            }
            int failed = 0, garbageDiffers = 0;
            foreach (var (what, bytes) in variants)
            {
                string? vipsError = null, fastError = null;
                DecodedImage? a = null, b = null;
                try { a = Vips.Decode(bytes, "x.jpg"); } catch (ClipSharpException e) { vipsError = e.Message; }
                try { b = Fast.Decode(bytes, "x.jpg"); } catch (ClipSharpException e) { fastError = e.Message; }
                using (a) using (b)
                {
                    // The same verdict and reason; the libvips detail in brackets may carry warnings left in libvips'
                    // process-wide error buffer by earlier decodes, so it is not compared.
                    Assert.True(Reason(vipsError) == Reason(fastError), $"{what} (progressive {progressive}): libvips '{vipsError}', fast '{fastError}'");
                    if (a is not null && b is not null && !a.Pixels.SequenceEqual(b.Pixels)) garbageDiffers++;
                }
                if (vipsError is not null) failed++;
            }
            Assert.True(failed >= 5, $"only {failed} of {variants.Count} variants were reported as bad");
            // libturbojpeg stops on warnings too, so libvips decodes every one of those: the same garbage.
            if (Turbo) Assert.Equal(0, garbageDiffers);
            output.WriteLine($"progressive {progressive}: {failed} of {variants.Count} reported by both; {garbageDiffers} accepted by both with different garbage");
        }
        var cut = Path.Combine(_dir, "cut.jpg");
        using var large = TestImages.Rgb(200, 150);
        var whole = large.JpegsaveBuffer();
        File.WriteAllBytes(cut, whole[..(whole.Length * 6 / 10)]);
        var err = Assert.Throws<ClipSharpException>(() => Fast.Decode(cut));
        Assert.StartsWith(cut + ": ", err.Message);
        Assert.Contains("truncated", err.Message);
    }

    private void AssertFastAndSame(byte[] bytes, string what)
    {
        Assert.True(JpegHeader.TryRead(bytes, out var h), what);
        using (var direct = FastJpegDecoder.TryDecode(bytes, h, 1, AnySize))
            Assert.True(direct is not null, $"{what}: the fast path refused it");
        using var a = Vips.Decode(bytes, what);
        using var b = Fast.Decode(bytes, what);
        AssertSame(a, b, what);
    }

    internal static void AssertSame(DecodedImage a, DecodedImage b, string what)
    {
        Assert.True((a.Width, a.Height, a.Bands, a.ShrinkFactor, a.IsPalette) == (b.Width, b.Height, b.Bands, b.ShrinkFactor, b.IsPalette),
            $"{what}: libvips {(a.Width, a.Height, a.Bands, a.ShrinkFactor)}, fast {(b.Width, b.Height, b.Bands, b.ShrinkFactor)}");
        var x = a.Pixels.ToArray();
        var y = b.Pixels.ToArray();
        int first = x.AsSpan().CommonPrefixLength(y);
        Assert.True(first == x.Length, $"{what}: first differing byte {first} of {x.Length} ({(first < x.Length ? $"{x[first]} vs {y[first]}" : "")})");
    }

    private static string? Reason(string? message) => message?.Split(" (")[0];

    internal static int IndexOfMarker(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++) if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return i;
        throw new InvalidOperationException($"marker {marker:X2} not found");
    }
}
