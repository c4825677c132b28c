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
/// Skia's <c>SKCodecResult.Success</c> (truncated or corrupt data), returns null so the caller decodes with libvips,
/// which produces today's result or error message unchanged. The Skia route needs Skia's native library
/// (<see cref="SkiaNative"/>, <see cref="SkiaImageDecoder"/>: the torch package brings it, and so does the ONNX Runtime package
/// (<c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>)); where it does not load, libvips decodes those files.
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
    private static DecodedImage? TryDecodeWithSkia(byte[] data, in JpegHeader h, int shrink, ImageDecoderOptions o, string source) =>
        SkiaImageDecoder.TryDecodeJpeg(data, h, shrink, o.AutoOrient, source);
}
