using ClipSharp.Data.Images;
using NetVips;

namespace ClipSharp.Fuzz.Targets;

/// <summary>
/// Image decoding through <see cref="ImageDecoder"/>'s routes: every input from memory with the default options (plain
/// JPEGs take the fast path: libturbojpeg when installed, else Skia; everything else libvips), and JPEG-looking
/// inputs again from the file through libvips with shrink-on-load. Seeds: small JPEG (baseline, progressive, grey,
/// EXIF-rotated), PNG (RGB, palette, 16-bit, RGBA), WebP (lossy, lossless) and GIF made with libvips.
/// </summary>
public sealed class ImageTarget : FuzzTarget
{
    private readonly ImageDecoder _default = new();
    private readonly ImageDecoder _vipsShrink = new(new ImageDecoderOptions(FastJpeg: false, ShrinkOnLoad: true, ShrinkMargin: 1));

    public override string Name => "image";
    public override string Extension => ".img";
    public override int MaxInputLength => 1 << 16;

    /// <summary>
    /// The decoder's documented bomb limit, <see cref="ImageDecoderOptions.MaxPixels"/> x 4 bands, plus 64 MiB. Tighter
    /// per-byte caps do not hold by design: the campaign found 1 kB GIFs whose frame claims ~13,000^2 pixels, which
    /// decode to 680 MB of pixels (within MaxPixels; whether to refuse such files earlier is a design question left open).
    /// </summary>
    public override long AllocationCap(int inputLength) => (64L << 20) + 4 * ImageDecoderOptions.Default.MaxPixels;

    public override IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0xFF, 0xD8], [0xFF, 0xD9], [0xFF, 0xC0], [0xFF, 0xC2], [0xFF, 0xC4], [0xFF, 0xDA], [0xFF, 0xDB], [0xFF, 0xDD], [0xFF, 0xE1], [0xFF, 0xEE],
        "IHDR"u8.ToArray(), "IDAT"u8.ToArray(), "IEND"u8.ToArray(), "PLTE"u8.ToArray(), "tRNS"u8.ToArray(), "acTL"u8.ToArray(),
        "RIFF"u8.ToArray(), "WEBP"u8.ToArray(), "VP8 "u8.ToArray(), "VP8L"u8.ToArray(), "VP8X"u8.ToArray(), "GIF89a"u8.ToArray(),
        "Exif\0\0"u8.ToArray(), "MM\0*"u8.ToArray(), "II*\0"u8.ToArray(), [0x01, 0x12, 0x00, 0x03], [0x7F, 0xFF], [0x40, 0x00],
    ];

    public override string Describe() =>
        $"image (plain JPEGs: {(TurboJpeg.IsAvailable ? "libturbojpeg" : "Skia; libturbojpeg.so.0 not found, its route is not exercised")})";

    protected override IReadOnlyList<byte[]> MakeSeeds()
    {
        using var rgb = Pattern(24, 16, 3);
        using var rgba = Pattern(12, 10, 4);
        using var grey = Pattern(16, 16, 1);
        using var rgb16 = (rgb.Cast(Enums.BandFormat.Ushort) * 257).Copy(interpretation: Enums.Interpretation.Rgb16);
        using var rotated = rgb.Mutate(m => m.Set(GValue.GIntType, "orientation", 6));
        return
        [
            rgb.WriteToBuffer(".jpg[Q=90]"), rgb.WriteToBuffer(".jpg[Q=75,interlace=true]"), grey.WriteToBuffer(".jpg"),
            rotated.WriteToBuffer(".jpg"), rgb.WriteToBuffer(".png"), rgb.WriteToBuffer(".png[palette=true]"),
            rgb16.WriteToBuffer(".png"), rgba.WriteToBuffer(".png"), rgb.WriteToBuffer(".webp[Q=80]"),
            rgba.WriteToBuffer(".webp[lossless=true]"), rgb.WriteToBuffer(".gif"),
        ];
    }

    public override long Run(byte[] input, string path)
    {
        long pixels = 0;
        using (var img = _default.Decode(input, path)) pixels += (long)img.Width * img.Height * img.Bands;
        if (input.Length > 2 && input[0] == 0xFF && input[1] == 0xD8)
            using (var img = _vipsShrink.Decode(path, (4, 4))) pixels += (long)img.Width * img.Height * img.Bands;
        return pixels;
    }

    private static Image Pattern(int w, int h, int bands)
    {
        var px = new byte[w * h * bands];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7 + i / (w * bands) * 31);
        return Image.NewFromMemory(px, w, h, bands, Enums.BandFormat.Uchar);
    }
}
