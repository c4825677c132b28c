using System.Buffers;
using System.Runtime.CompilerServices;
using NetVips;
using SkiaSharp;

namespace ClipSharp.Data.Images;

/// <summary>
/// The fast path of <see cref="ImageDecoder"/> for plain JPEGs: libturbojpeg where the system has it
/// (<see cref="TurboJpeg"/>, any size, <see cref="ImageDecoderOptions.TurboJpeg"/>), else Skia's codec (libjpeg-turbo, islow DCT, fancy
/// upsampling, the same decoder libvips uses) without libvips' pipeline set-up: 3-8x faster on 64-pixel images, slower
/// past about 224 x 224 (<see cref="ImageDecoderOptions.FastJpegMaxPixels"/>).
/// It only takes files whose decode is the same as libvips' bit for bit (tested): baseline, extended or progressive
/// Huffman frames with 8-bit samples and 1 (grey) or 3 (YCbCr) components, no Adobe segment, no EXIF rotation to
/// apply, within the pixel limit, whose marker structure is complete up to a final EOI (<see cref="JpegHeader.EndsCleanly"/>).
/// Everything else, and every decode that does not end in
/// <see cref="SKCodecResult.Success"/> (truncated or corrupt data), returns null so the caller decodes with libvips,
/// which produces today's result or error message unchanged. The Skia route needs Skia's native library
/// (<see cref="SkiaNative"/>: the torch package brings it, an ONNX Runtime app may add
/// <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>); where it does not load, libvips decodes those files.
/// </summary>
internal static class FastJpegDecoder
{
    /// <summary>
    /// Decodes <paramref name="data"/> at 1/<paramref name="shrink"/> scale (1, 2, 4 or 8, libjpeg's DCT scaling) into
    /// a uchar image with 1 or 3 bands (<paramref name="source"/> names it in messages); null when the file is not one
    /// this path is sure about.
    /// </summary>
    public static DecodedImage? TryDecode(byte[] data, in JpegHeader h, int shrink, ImageDecoderOptions o, string source = "jpeg") =>
        TryDecode(data, h, shrink, o, SkiaLoads, source);

    /// <summary>
    /// <see cref="TryDecode(byte[], in JpegHeader, int, ImageDecoderOptions, string)"/> with the Skia route's
    /// availability given (<paramref name="skia"/>: whether Skia's native library loads; tests pass false).
    /// </summary>
    internal static DecodedImage? TryDecode(byte[] data, in JpegHeader h, int shrink, ImageDecoderOptions o, Func<bool> skia, string source = "jpeg")
    {
        long pixels = (long)h.Width * h.Height;
        if (!IsPlain(h) || pixels > o.MaxPixels) return null;
        bool turbo = o.TurboJpeg && TurboJpeg.IsAvailable;
        if (!turbo && pixels > o.FastJpegMaxPixels) return null;
        if (!h.EndsCleanly(data)) return null;
        if (turbo) return o.AutoOrient && !JpegExif.IsUpright(data, h.FirstScan) ? null : TurboJpeg.TryDecode(data, h, shrink, source);
        return skia() ? TryDecodeWithSkia(data, h, shrink, o, source) : null;
    }

    /// <summary>The header facts this path accepts.</summary>
    public static bool IsPlain(in JpegHeader h) =>
        h.FrameMarker is 0xC0 or 0xC1 or 0xC2 && h.Precision == 8 && h.Components is 1 or 3 && !h.Adobe
        && h.Width > 0 && h.Height > 0;

    private static readonly Func<bool> SkiaLoads = () => SkiaNative.IsAvailable;

    // The Skia route, out of line: without libSkiaSharp no SkiaSharp call site is compiled or run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DecodedImage? TryDecodeWithSkia(byte[] data, in JpegHeader h, int shrink, ImageDecoderOptions o, string source)
    {
        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null || codec.EncodedFormat != SKEncodedImageFormat.Jpeg) return null;
        if (codec.Info.Width != h.Width || codec.Info.Height != h.Height) return null;
        if (o.AutoOrient && codec.EncodedOrigin != SKEncodedOrigin.TopLeft) return null; // libvips rotates; leave it to libvips
        var (w, ht, keepW, keepH) = h.Scaled(shrink);
        if (shrink > 1)
        {
            // Skia must decode the same libjpeg size (JpegHeader.Scaled) or the decode is not the same one.
            var s = codec.GetScaledDimensions(1f / shrink);
            if (s.Width != w || s.Height != ht || keepW < 1 || keepH < 1) return null;
        }
        var img = Decode(codec, w, ht, keepW, keepH, h.Components == 1 ? 1 : 3);
        return img is null ? null : new DecodedImage(img, source, shrinkFactor: shrink);
    }

    // Decodes w x h (Gray8, or RGBA with the X byte dropped), keeps the top-left keepW x keepH pixels, packed in place
    // (every write lands at or before the byte it replaces), and hands libvips a copy: a pooled buffer and libvips'
    // own memory keep large decoded images off the managed heap.
    private static unsafe Image? Decode(SKCodec codec, int w, int h, int keepW, int keepH, int bands)
    {
        int pixelBytes = bands == 1 ? 1 : 4;
        var buffer = ArrayPool<byte>.Shared.Rent(checked(w * h * pixelBytes));
        try
        {
            // No colour space on the destination: Skia converts nothing (libvips does not apply an ICC profile either).
            var info = new SKImageInfo(w, h, bands == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
            fixed (byte* p = buffer)
            {
                if (codec.GetPixels(info, (IntPtr)p) != SKCodecResult.Success) return null;
                for (int y = 0; y < keepH; y++) Pack(p + (long)y * w * pixelBytes, p + (long)y * keepW * bands, keepW, bands);
                return Image.NewFromMemoryCopy((IntPtr)p, (ulong)keepW * (ulong)keepH * (ulong)bands, keepW, keepH, bands, Enums.BandFormat.Uchar);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    // One row: grey bytes as they are, RGBX -> RGB; dst <= src, front to back.
    private static unsafe void Pack(byte* src, byte* dst, int width, int bands)
    {
        if (src == dst && bands == 1) return;
        if (bands == 1) { Buffer.MemoryCopy(src, dst, width, width); return; }
        for (int x = 0; x < width; x++, src += 4, dst += 3)
        {
            byte r = src[0], g = src[1], b = src[2];
            dst[0] = r; dst[1] = g; dst[2] = b;
        }
    }
}
