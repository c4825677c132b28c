using System.Buffers.Binary;
using System.Text;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using NetVips;

namespace ClipSharp.Tests.Data.Images;

public class ImageDecoderTests
{
    private readonly string _dir = TestPaths.NewTempDir("clipsharp-images");
    private readonly ImageDecoder _decoder = new();

    [Fact]
    public void RgbJpegAndPngDecodeToThreeBands()
    {
        using var src = TestImages.Rgb(64, 48).CopyMemory();
        foreach (var suffix in new[] { ".png", ".jpg" })
        {
            using var d = _decoder.Decode(TestImages.Save(src, suffix, _dir));
            Assert.Equal((64, 48, 3, false, false), (d.Width, d.Height, d.Bands, d.HasAlpha, d.IsPalette));
        }
        using var fromBytes = _decoder.Decode(src.PngsaveBuffer(), "mem.png");
        Assert.Equal(src.WriteToMemory<byte>(), fromBytes.Image.WriteToMemory<byte>());
    }

    [Fact]
    public void GreyStaysOneBandAndBecomesEqualRgb()
    {
        using var grey = TestImages.Rgb(40, 30).ExtractBand(0).Copy(interpretation: Enums.Interpretation.Bw);
        using var d = _decoder.Decode(TestImages.Save(grey, ".png", _dir));
        Assert.Equal(1, d.Bands);
        var rgb = new EvalTransform(PreprocessConfig.OpenAi(16)).ApplyBytes(d);
        for (int i = 0; i < rgb.Length; i += 3) Assert.True(rgb[i] == rgb[i + 1] && rgb[i] == rgb[i + 2]);
    }

    [Fact]
    public void AlphaIsResizedPremultipliedAndDropped()
    {
        // Left half opaque red, right half fully transparent but green: Pillow's premultiplied resize never lets
        // the hidden green bleed into the output; transparent output pixels come out black.
        var left = (Image.Black(20, 20) + new double[] { 255, 0, 0, 255 }).Cast(Enums.BandFormat.Uchar);
        var right = (Image.Black(20, 20) + new double[] { 0, 255, 0, 0 }).Cast(Enums.BandFormat.Uchar);
        using var rgba = left.Join(right, Enums.Direction.Horizontal).Copy(interpretation: Enums.Interpretation.Srgb);
        using var d = _decoder.Decode(TestImages.Save(rgba, ".png", _dir));
        Assert.Equal((4, true), (d.Bands, d.HasAlpha));
        var rgb = new EvalTransform(PreprocessConfig.Clips(10)).ApplyBytes(d); // 40x20 -> 10x10 squash
        for (int i = 0; i < rgb.Length; i += 3) Assert.Equal(0, rgb[i + 1]);                  // no green anywhere
        Assert.Equal(new byte[] { 255, 0, 0 }, rgb.AsSpan(0, 3).ToArray());                    // opaque corner
        Assert.Equal(new byte[] { 0, 0, 0 }, rgb.AsSpan((5 * 10 + 9) * 3, 3).ToArray());      // transparent corner
    }

    [Fact]
    public void PaletteImagesAreDetectedAndResizedWithNearestNeighbour()
    {
        using var src = TestImages.Rgb(50, 40).CopyMemory();
        var path = Path.Combine(_dir, "pal.png");
        src.Pngsave(path, palette: true, bitdepth: 8);
        using var d = _decoder.Decode(path);
        Assert.True(d.IsPalette);
        var colours = Colours(d.Image.WriteToMemory<byte>(), d.Bands);
        var outBytes = new EvalTransform(PreprocessConfig.OpenAi(24)).ApplyBytes(d);
        Assert.Subset(colours, Colours(outBytes, 3)); // nearest neighbour invents no colours
    }

    [Fact]
    public void SixteenBitKeepsTheHighByte()
    {
        using var src = TestImages.Rgb(20, 10).CopyMemory();
        using var wide = (src.Cast(Enums.BandFormat.Ushort) * 256 + 100).Cast(Enums.BandFormat.Ushort).Copy(interpretation: Enums.Interpretation.Rgb16);
        using var d = _decoder.Decode(TestImages.Save(wide, ".png", _dir));
        Assert.Equal((3, Enums.BandFormat.Uchar), (d.Bands, d.Image.Format));
        Assert.Equal(src.WriteToMemory<byte>(), d.Image.WriteToMemory<byte>()); // (v * 256 + 100) >> 8 = v
    }

    [Fact]
    public void CmykJpegStaysInkUntilTheTransform()
    {
        // Pillow opens it as "CMYK" and converts with its own formula after the resize (see PilModeParityTests).
        using var cmyk = TestImages.Rgb(32, 24).Colourspace(Enums.Interpretation.Cmyk);
        using var d = _decoder.Decode(TestImages.Save(cmyk, ".jpg", _dir));
        Assert.Equal((PilMode.Cmyk, 4, false), (d.Mode, d.Bands, d.HasAlpha));
        Assert.Equal(16 * 16 * 3, new EvalTransform(PreprocessConfig.Clips(16)).ApplyBytes(d).Length);
    }

    [Fact]
    public void ExifOrientationIsApplied()
    {
        using var src = TestImages.Rgb(60, 20).CopyMemory();
        using var tagged = src.Mutate(m => m.Set(GValue.GIntType, "orientation", 6)); // rotate 90 degrees clockwise to display
        var path = TestImages.Save(tagged, ".jpg", _dir);
        using (var d = _decoder.Decode(path)) Assert.Equal((20, 60), (d.Width, d.Height));
        using (var raw = new ImageDecoder(new ImageDecoderOptions(AutoOrient: false)).Decode(path)) Assert.Equal((60, 20), (raw.Width, raw.Height));
    }

    [Fact]
    public void MissingEmptyAndGarbageFilesGiveClearErrors()
    {
        var missing = Path.Combine(_dir, "nope.jpg");
        Assert.Contains("not found", Assert.Throws<ClipSharpException>(() => _decoder.Decode(missing)).Message);
        var empty = Path.Combine(_dir, "empty.jpg");
        File.WriteAllBytes(empty, []);
        var e1 = Assert.Throws<ClipSharpException>(() => _decoder.Decode(empty));
        Assert.Contains(empty, e1.Message);
        Assert.Contains("0 bytes", e1.Message);
        var garbage = Path.Combine(_dir, "garbage.png");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not an image ", 50))));
        var e2 = Assert.Throws<ClipSharpException>(() => _decoder.Decode(garbage));
        Assert.StartsWith(garbage + ": not a readable image", e2.Message);
        Assert.Throws<ClipSharpException>(() => _decoder.Decode(new byte[] { 1, 2, 3 }, "sample-17"));
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".png")]
    public void TruncatedFilesAreReportedAsCorrupt(string suffix)
    {
        using var src = TestImages.Rgb(200, 150).CopyMemory();
        var full = File.ReadAllBytes(TestImages.Save(src, suffix, _dir));
        var path = Path.Combine(_dir, "cut" + suffix);
        File.WriteAllBytes(path, full[..(full.Length * 6 / 10)]);
        var e = Assert.Throws<ClipSharpException>(() => _decoder.Decode(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void HugeDimensionsAreRefusedBeforeDecoding()
    {
        // A PNG whose header claims 60000 x 50000 (3 G pixels) with no real pixel data behind it.
        var path = Path.Combine(_dir, "bomb.png");
        File.WriteAllBytes(path, PngHeaderOnly(60000, 50000));
        var e = Assert.Throws<ClipSharpException>(() => _decoder.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("60000x50000", e.Message);
        Assert.Contains("decompression bomb", e.Message);
        // The limit is an option.
        using var small = TestImages.Rgb(100, 100).CopyMemory();
        var ok = TestImages.Save(small, ".png", _dir);
        Assert.Throws<ClipSharpException>(() => new ImageDecoder(new ImageDecoderOptions(MaxPixels: 9999)).Decode(ok));
        using var fine = new ImageDecoder(new ImageDecoderOptions(MaxPixels: 10000)).Decode(ok);
    }

    private static HashSet<(byte, byte, byte)> Colours(byte[] px, int bands)
    {
        var set = new HashSet<(byte, byte, byte)>();
        for (int i = 0; i < px.Length; i += bands) set.Add((px[i], px[i + 1], px[i + 2]));
        return set;
    }

    // PNG signature + IHDR (8-bit RGB) + an empty IDAT + IEND, CRCs included.
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2;
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        s.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
