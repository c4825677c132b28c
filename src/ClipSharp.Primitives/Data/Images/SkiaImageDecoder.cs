using System.Runtime.CompilerServices;
using ClipSharp.Core;
using SkiaSharp;

namespace ClipSharp.Data.Images;

/// <summary>
/// Skia's codecs (libjpeg-turbo, libpng) into native pixel buffers, with no libvips: the JPEG fast path's Skia route,
/// and the whole decoder where libvips does not load (an ONNX Runtime app, which carries Skia's 12 MB library instead
/// of libvips' 18 MB). Only files whose pixels are Pillow's bit for bit (tests/…/PilModeParityTests,
/// PreprocessParityTests) are taken: plain JPEGs (<see cref="FastJpegDecoder.IsPlain"/>) and PNGs of up to 8 bits per
/// sample in every colour type. The pixels come out in the <see cref="PilMode"/> Pillow opens the file in, decoded
/// to RGBA without colour management or premultiplication and then reduced to the mode's bands (grey, grey + alpha,
/// the palette's colours, RGB, RGBA: a tRNS chunk never becomes alpha). Everything else is left to libvips.
/// </summary>
internal static class SkiaImageDecoder
{
    /// <summary>
    /// Decodes a plain JPEG (already checked by the caller) at 1/<paramref name="shrink"/> scale into grey or RGB; null
    /// when Skia's decode would not be libjpeg's at that size, when the file needs EXIF rotation (<paramref name="autoOrient"/>),
    /// or when it does not decode cleanly.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static DecodedImage? TryDecodeJpeg(byte[] data, in JpegHeader h, int shrink, bool autoOrient, string source)
    {
        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null || codec.EncodedFormat != SKEncodedImageFormat.Jpeg) return null;
        if (codec.Info.Width != h.Width || codec.Info.Height != h.Height) return null;
        if (autoOrient && codec.EncodedOrigin != SKEncodedOrigin.TopLeft) return null; // libvips rotates; leave it to libvips
        var (w, ht, keepW, keepH) = h.Scaled(shrink);
        if (shrink > 1)
        {
            // Skia must decode the same libjpeg size (JpegHeader.Scaled) or the decode is not the same one.
            var s = codec.GetScaledDimensions(1f / shrink);
            if (s.Width != w || s.Height != ht || keepW < 1 || keepH < 1) return null;
        }
        var mode = h.Components == 1 ? PilMode.L : PilMode.Rgb;
        return Decode(codec, w, ht, keepW, keepH, mode, source, shrink, out _);
    }

    /// <summary>
    /// Decodes a PNG of up to 8 bits per sample in the mode Pillow opens it in. Throws a <see cref="ClipSharpException"/>
    /// naming <paramref name="source"/> for data that is not a PNG Skia can read, corrupt or truncated data, and images
    /// over <paramref name="maxPixels"/> (checked before any pixel is decoded); null when this route does not take the
    /// file (16-bit samples, or EXIF rotation to apply; the caller checks the bit depth first).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static DecodedImage? TryDecodePng(byte[] data, in PngHeader png, long maxPixels, bool autoOrient, string source)
    {
        if (png.BitDepth > 8) return null;
        if (png.Mode is not { } mode) throw new ClipSharpException($"{source}: not a readable image (a PNG with colour type {png.ColourType}).");
        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null || codec.EncodedFormat != SKEncodedImageFormat.Png)
            throw new ClipSharpException($"{source}: not a readable image (Skia's PNG decoder cannot read its header).");
        ImageDecoder.CheckPixels(codec.Info.Width, codec.Info.Height, maxPixels, source);
        if (autoOrient && codec.EncodedOrigin != SKEncodedOrigin.TopLeft) return null;
        var img = Decode(codec, codec.Info.Width, codec.Info.Height, codec.Info.Width, codec.Info.Height, mode, source, 1, out var result);
        return img ?? throw new ClipSharpException($"{source}: corrupt or truncated image data (Skia's PNG decoder: {result}).");
    }

    // Decodes w x h as RGBA (unpremultiplied, no colour space: Skia converts nothing), keeps the top-left keepW x keepH
    // pixels and reduces them to the mode's bands in place. Null unless the decode ends in Success.
    private static unsafe DecodedImage? Decode(SKCodec codec, int w, int h, int keepW, int keepH, PilMode mode, string source,
        int shrink, out SKCodecResult result)
    {
        var alpha = codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, alpha);
        var buffer = new PixelBuffer(checked((nuint)w * (nuint)h * 4));
        try
        {
            result = codec.GetPixels(info, (IntPtr)buffer.Pointer);
            if (result != SKCodecResult.Success) return null;
            int bands = DecodedImage.BandsOf(mode);
            for (int y = 0; y < keepH; y++)
                Reduce(buffer.Pointer + (long)y * w * 4, buffer.Pointer + (long)y * keepW * bands, keepW, mode);
            var image = new DecodedImage(buffer, keepW, keepH, mode, source, shrink);
            buffer = null;
            return image;
        }
        finally { buffer?.Dispose(); }
    }

    // One row of RGBA to the mode's bands; dst <= src, front to back, so it runs in place.
    private static unsafe void Reduce(byte* src, byte* dst, int width, PilMode mode)
    {
        switch (mode)
        {
            case PilMode.Rgba:
                if (src != dst) Buffer.MemoryCopy(src, dst, width * 4L, width * 4L);
                return;
            case PilMode.Rgb or PilMode.P:
                for (int x = 0; x < width; x++, src += 4, dst += 3) { byte r = src[0], g = src[1], b = src[2]; dst[0] = r; dst[1] = g; dst[2] = b; }
                return;
            case PilMode.LA:
                for (int x = 0; x < width; x++, src += 4, dst += 2) { byte l = src[0], a = src[3]; dst[0] = l; dst[1] = a; }
                return;
            case PilMode.L or PilMode.One:
                for (int x = 0; x < width; x++, src += 4, dst++) *dst = *src;
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), $"No Skia route for mode {mode}.");
        }
    }
}
