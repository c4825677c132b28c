using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// Skia's native library is optional for ClipSharp.Primitives (each flavour package brings it; an app may leave it
/// out): the probe that decides whether a Skia route may run, and the libvips fallback when it may not (the same
/// pixels). Without libvips as well: DecodeWithoutVipsTests.
/// </summary>
public class SkiaNativeTests
{
    // Skia's route only: libturbojpeg (where installed) would take these files first.
    private static readonly ImageDecoderOptions SkiaRoute = new(TurboJpeg: false);

    [Fact]
    public void TheProbeTurnsALoadFailureIntoFalse()
    {
        Assert.True(SkiaNative.Probe(() => { }));
        Assert.False(SkiaNative.Probe(() => throw new DllNotFoundException("libSkiaSharp")));
        Assert.False(SkiaNative.Probe(() => throw new EntryPointNotFoundException("sk_data_new_with_copy")));
        Assert.False(SkiaNative.Probe(() => throw new TypeInitializationException("SkiaSharp.SKObject", new InvalidOperationException("incompatible"))));
        Assert.Throws<InvalidOperationException>(() => SkiaNative.Probe(() => throw new InvalidOperationException("a bug")));
    }

    // The torch library (referenced here) brings the native assets, so the route is on in this process.
    [Fact]
    public void SkiaLoadsWhereTheTorchLibraryBringsIt() => Assert.True(SkiaNative.IsAvailable);

    [Fact]
    public void WithoutSkiaTheFastPathDeclinesAndLibvipsDecodesTheSamePixels()
    {
        using var src = TestImages.Rgb(64, 48);
        var bytes = src.JpegsaveBuffer(q: 90);
        Assert.True(JpegHeader.TryRead(bytes, out var h));
        using (var on = FastJpegDecoder.TryDecode(bytes, h, 1, SkiaRoute, () => true)) Assert.NotNull(on);
        using (var off = FastJpegDecoder.TryDecode(bytes, h, 1, SkiaRoute, () => false)) Assert.Null(off);

        int asked = 0;
        var withoutSkia = new ImageDecoder(SkiaRoute, () => { Interlocked.Increment(ref asked); return false; });
        using var fallback = withoutSkia.Decode(bytes, "small.jpg");
        Assert.Equal(1, asked);   // the decoder consulted the switch, then decoded with libvips
        using var skia = new ImageDecoder(SkiaRoute, () => true).Decode(bytes, "small.jpg");
        using var vips = new ImageDecoder(SkiaRoute with { FastJpeg = false }).Decode(bytes, "small.jpg");
        FastJpegTests.AssertSame(vips, fallback, "libvips fallback");
        FastJpegTests.AssertSame(vips, skia, "Skia route");
    }

    // Primitives names the managed API only; the torch library keeps the native assets (training and its fast path).
    [Fact]
    public void OnlyTheTorchLibraryReferencesSkiasNativeAssets()
    {
        string Project(string name) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "src", name, name + ".csproj"));
        const string native = "\"SkiaSharp.NativeAssets.";
        Assert.DoesNotContain(native, Project("ClipSharp.Primitives"), StringComparison.Ordinal);
        Assert.Contains(native, Project("ClipSharp"), StringComparison.Ordinal);
    }
}
