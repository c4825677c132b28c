using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using NetVips;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// The decoder an app without libvips gets (the ONNX Runtime package carries Skia, not libvips): plain JPEGs and PNGs
/// of up to 8 bits per sample decode to the libvips route's pixels and Pillow mode byte for byte (so, transitively,
/// to Pillow's: PilModeParityTests, PreprocessParityTests); every other file is refused with a message that names it
/// and the package that reads it; corrupt, truncated and oversized files fail as they do with libvips.
/// </summary>
public class DecodeWithoutVipsTests
{
    private static readonly ImageDecoder WithVips = new(new ImageDecoderOptions(FastJpeg: false));
    private static readonly ImageDecoder NoVips = new(null, skiaLoads: null, vipsLoads: () => false);

    /// <summary>The generated Pillow-mode files this route takes (PNG, up to 8 bits per sample).</summary>
    public static TheoryData<string> TakenModes() => [.. PilModeImages.All.Keys.Where(Taken).Order(StringComparer.Ordinal)];

    /// <summary>The generated Pillow-mode files left to libvips (16-bit PNG, GIF, TIFF, CMYK JPEG).</summary>
    public static TheoryData<string> RefusedModes() => [.. PilModeImages.All.Keys.Where(k => !Taken(k)).Order(StringComparer.Ordinal)];

    private static bool Taken(string name) =>
        PngHeader.TryRead(PilModeImages.All[name].Bytes, out var h) && h.BitDepth <= 8;

    [Theory]
    [MemberData(nameof(TakenModes))]
    public void PngsOfEveryEightBitModeDecodeToTheLibvipsPixels(string name)
    {
        var (bytes, suffix, mode) = PilModeImages.All[name];
        var path = Path.Combine(TestPaths.NewTempDir("no-vips"), name + suffix);
        File.WriteAllBytes(path, bytes);
        using var a = WithVips.Decode(path);
        using var b = NoVips.Decode(path);
        Assert.Equal(mode, b.Mode);
        Assert.Equal(a.Mode, b.Mode);
        FastJpegTests.AssertSame(a, b, name);
    }

    [Theory]
    [MemberData(nameof(RefusedModes))]
    public void OtherFormatsAreRefusedNamingTheFileAndThePackage(string name)
    {
        var (bytes, suffix, _) = PilModeImages.All[name];
        var e = Assert.Throws<ClipSharpException>(() => NoVips.Decode(bytes, name + suffix));
        Assert.StartsWith(name + suffix + ": ", e.Message);
        Assert.Contains("NetVips.Native.linux-x64", e.Message);
    }

    /// <summary>The OpenCLIP preprocess fixture's images (RGB, L, RGBA PNGs; 4:2:0 and 4:4:4 JPEGs).</summary>
    public static IEnumerable<object[]> FixtureImages()
    {
        var root = Path.Combine(TestPaths.Fixtures, "openclip");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "manifest.json")));
        foreach (var img in doc.RootElement.GetProperty("preprocess").GetProperty("images").EnumerateArray())
            yield return [Path.Combine(root, "preprocess", "images", img.GetProperty("file").GetString()!)];
    }

    [SharedTheory]
    [MemberData(nameof(FixtureImages))]
    public void TheParityFixturesImagesDecodeToTheLibvipsPixels(string path)
    {
        using var a = WithVips.Decode(path);
        using var b = NoVips.Decode(path);
        Assert.Equal(a.Mode, b.Mode);
        FastJpegTests.AssertSame(a, b, path);
    }

    [Theory]
    [InlineData(640, 480, true, false, false, 1)]
    [InlineData(333, 250, false, true, false, 1)]
    [InlineData(101, 57, false, false, true, 1)]
    [InlineData(512, 384, true, false, false, 4)]
    public void JpegsOfAnySizeAndShrinkDecodeToTheLibvipsPixels(int w, int h, bool subsample, bool progressive, bool grey, int shrink)
    {
        using var src = grey ? TestImages.Rgb(w, h).ExtractBand(1).Copy(interpretation: Enums.Interpretation.Bw) : TestImages.Rgb(w, h);
        var bytes = src.JpegsaveBuffer(q: 85, interlace: progressive,
            subsampleMode: subsample ? Enums.ForeignSubsample.On : Enums.ForeignSubsample.Off);
        var o = new ImageDecoderOptions(FastJpeg: false, ShrinkOnLoad: shrink > 1, ShrinkMargin: 1.0);
        var target = shrink > 1 ? (Math.Min(w, h) / shrink, Math.Min(w, h) / shrink) : ((int, int)?)null;
        using var a = new ImageDecoder(o).Decode(bytes, "g.jpg", target);
        using var b = new ImageDecoder(o, skiaLoads: null, vipsLoads: () => false).Decode(bytes, "g.jpg", target);
        Assert.Equal(shrink, b.ShrinkFactor);
        FastJpegTests.AssertSame(a, b, $"{w}x{h}");
    }

    [Fact]
    public void CorruptTruncatedAndOversizedFilesFailNamingTheFile()
    {
        var png = PilModeImages.All["rgb"].Bytes;
        var cut = Assert.Throws<ClipSharpException>(() => NoVips.Decode(png[..(png.Length - 30)], "cut.png"));
        Assert.StartsWith("cut.png: corrupt or truncated image data", cut.Message);
        using var src = TestImages.Rgb(64, 48);
        var jpeg = src.JpegsaveBuffer(q: 85);
        var jcut = Assert.Throws<ClipSharpException>(() => NoVips.Decode(jpeg[..(jpeg.Length / 2)], "cut.jpg"));
        Assert.StartsWith("cut.jpg: corrupt or truncated image data", jcut.Message);
        var small = new ImageDecoder(new ImageDecoderOptions(MaxPixels: 100), skiaLoads: null, vipsLoads: () => false);
        foreach (var (data, name) in new[] { (png, "big.png"), (jpeg, "big.jpg") })
        {
            var big = Assert.Throws<ClipSharpException>(() => small.Decode(data, name));
            Assert.StartsWith($"{name}: image is ", big.Message);
            Assert.Contains("decompression bomb", big.Message);
        }
        var text = Assert.Throws<ClipSharpException>(() => NoVips.Decode("hello, world"u8.ToArray(), "notes.txt"));
        Assert.StartsWith("notes.txt: not a JPEG or PNG", text.Message);
    }

    [Fact]
    public void WithNeitherLibraryTheErrorNamesBothPackages()
    {
        var none = new ImageDecoder(null, skiaLoads: () => false, vipsLoads: () => false);
        var e = Assert.Throws<ClipSharpException>(() => none.Decode(PilModeImages.All["rgb"].Bytes, "a.png"));
        Assert.StartsWith("a.png: this app has no image decoder", e.Message);
        Assert.Contains("NetVips.Native.linux-x64", e.Message);
        Assert.Contains("SkiaSharp.NativeAssets.Linux.NoDependencies", e.Message);
    }
}
