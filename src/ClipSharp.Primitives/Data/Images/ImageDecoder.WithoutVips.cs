using ClipSharp.Core;

namespace ClipSharp.Data.Images;

// The decoder where libvips does not load (an ONNX Runtime app without NetVips.Native): plain JPEGs through
// libturbojpeg or Skia, PNGs of up to 8 bits per sample through Skia (SkiaImageDecoder), the same pixels as the libvips
// route; every other file gets an error that names it and the package that reads it.
public sealed partial class ImageDecoder
{
    /// <summary>Refuses an image over <paramref name="maxPixels"/> before its pixels are decoded.</summary>
    internal static void CheckPixels(int width, int height, long maxPixels, string source)
    {
        long pixels = (long)width * height;
        if (pixels > maxPixels)
            throw new ClipSharpException($"{source}: image is {width}x{height} = {pixels:N0} pixels, over the " +
                $"limit of {maxPixels:N0} (possible decompression bomb; raise ImageDecoderOptions.MaxPixels to allow it).");
    }

    private static byte[] ReadForSkia(string path, long length)
    {
        if (length > Array.MaxLength) throw new ClipSharpException($"{path}: the file is {length:N0} bytes, too large to decode in memory.");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClipSharpException($"{path}: cannot read the image file ({e.Message}).", e);
        }
    }

    private DecodedImage DecodeWithoutVips(byte[] data, string source, (int Height, int Width)? target)
    {
        bool skia = (_skiaLoads ?? (() => SkiaNative.IsAvailable))();
        if (JpegHeader.HasJpegSignature(data)) return DecodeJpegWithoutVips(data, source, target, skia);
        if (PngHeader.TryRead(data, out var png))
        {
            if (png.BitDepth > 8) throw NeedsVips(source, $"a {png.BitDepth}-bit PNG");
            if (!skia) throw NoDecoder(source);
            return SkiaImageDecoder.TryDecodePng(data, png, Options.MaxPixels, Options.AutoOrient, source)
                ?? throw NeedsVips(source, "a PNG with an EXIF rotation to apply");
        }
        throw NeedsVips(source, "not a JPEG or PNG");
    }

    private DecodedImage DecodeJpegWithoutVips(byte[] data, string source, (int Height, int Width)? target, bool skia)
    {
        if (!JpegHeader.TryRead(data, out var h)) throw new ClipSharpException($"{source}: corrupt or truncated image data (a JPEG whose markers up to its first scan cannot be read).");
        if (!FastJpegDecoder.IsPlain(h)) throw NeedsVips(source, "a CMYK, 12-bit, lossless or arithmetic-coded JPEG");
        CheckPixels(h.Width, h.Height, Options.MaxPixels, source);
        if (!h.EndsCleanly(data)) throw new ClipSharpException($"{source}: corrupt or truncated image data (the JPEG does not end in a complete scan and EOI).");
        if (Options.AutoOrient && !JpegExif.IsUpright(data, h.FirstScan)) throw NeedsVips(source, "a JPEG with an EXIF rotation to apply");
        int shrink = ShrinkFactor(h.Width, h.Height, isJpeg: true, target);
        bool turbo = Options.TurboJpeg && TurboJpeg.IsAvailable;
        if (!turbo && !skia) throw NoDecoder(source);
        var img = turbo ? TurboJpeg.TryDecode(data, h, shrink, source) : null;   // libturbojpeg first, where installed
        if (img is null && skia) img = SkiaImageDecoder.TryDecodeJpeg(data, h, shrink, Options.AutoOrient, source);
        return img ?? throw new ClipSharpException($"{source}: corrupt or truncated image data (libjpeg-turbo could not decode it).");
    }

    private static ClipSharpException NeedsVips(string source, string what) =>
        new($"{source}: {what}: this app decodes plain JPEG and PNG without libvips and has no libvips for the rest; " +
            "add the NuGet package NetVips.Native.linux-x64 (or install libvips 8.x) to read it.");

    private static ClipSharpException NoDecoder(string source) =>
        new($"{source}: this app has no image decoder: neither libvips (NuGet NetVips.Native.linux-x64, every format) " +
            "nor Skia (SkiaSharp.NativeAssets.Linux.NoDependencies, JPEG and PNG) loads.");
}
