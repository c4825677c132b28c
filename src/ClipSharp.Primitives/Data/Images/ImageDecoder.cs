using ClipSharp.Core;
using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Decodes image files or bytes with libvips into a <see cref="DecodedImage"/> (uchar; grey, grey + alpha, RGB or
/// RGBA), refusing oversized images before decoding their pixels and turning every libvips failure into a
/// <see cref="ClipSharpException"/> that names the source and the problem. Thread-safe; one instance can serve all
/// data-loader workers.
/// </summary>
/// <remarks>
/// The pixels are kept in the mode Pillow opens the file in (<see cref="PilModeReader"/>): EXIF orientation (option);
/// CMYK kept as ink (converted later with Pillow's formula); 16-bit grey kept as "I;16"; other 16-bit images by
/// keeping the high byte (what Pillow does for 16-bit RGB PNGs); a tRNS chunk never becomes alpha; other formats
/// through <c>colourspace</c> to sRGB / grey. Pixels are decoded sequentially with <c>fail_on = error</c>, so truncated
/// files fail instead of coming back half grey. Plain JPEGs take a faster route with the same pixels
/// (<see cref="ImageDecoderOptions.FastJpeg"/>, <see cref="FastJpegDecoder"/>). Where libvips is not in the app (the
/// ONNX Runtime package carries Skia instead), plain JPEGs and PNGs of up to 8 bits per sample decode with Skia to the
/// same pixels and every other file is refused, naming the package that reads it (ImageDecoder.WithoutVips.cs).
/// </remarks>
public sealed partial class ImageDecoder
{
    /// <summary>The options in force.</summary>
    public ImageDecoderOptions Options { get; }

    /// <summary>Creates a decoder (libvips' process-wide settings are left to the entry point: see <see cref="VipsSettings"/>).</summary>
    public ImageDecoder(ImageDecoderOptions? options = null) : this(options, null) { }

    // skiaLoads: whether the Skia routes may run (null: whether libSkiaSharp loads); vipsLoads: whether libvips may be
    // used (null: whether it loaded; false: the decoder an app without libvips gets). Tests pass their own.
    internal ImageDecoder(ImageDecoderOptions? options, Func<bool>? skiaLoads, Func<bool>? vipsLoads = null)
    {
        Options = options ?? ImageDecoderOptions.Default;
        if (Options.MaxPixels <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxPixels must be positive.");
        _skiaLoads = skiaLoads;
        _vipsLoads = vipsLoads ?? (() => VipsNative.IsAvailable);
    }

    private readonly Func<bool>? _skiaLoads;
    private readonly Func<bool> _vipsLoads;

    /// <summary>
    /// Decodes <paramref name="path"/>. <paramref name="targetSize"/> (height, width of the eventual model input)
    /// only matters with <see cref="ImageDecoderOptions.ShrinkOnLoad"/>.
    /// </summary>
    public DecodedImage Decode(string path, (int Height, int Width)? targetSize = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ClipSharpException($"{path}: image file not found.");
        if (info.Length == 0) throw new ClipSharpException($"{path}: the file is empty (0 bytes), not an image.");
        if (!_vipsLoads()) return DecodeWithoutVips(ReadForSkia(path, info.Length), path, targetSize);
        if (Options.FastJpeg && info.Length <= int.MaxValue && TryFast(ReadIfJpeg(path), path, targetSize) is { } fast) return fast;
        return WithWarnings(() => DecodeCore(path, shrink => Image.NewFromFile(path, access: Enums.Access.Sequential,
            failOn: Enums.FailOn.Error, kwargs: shrink > 1 ? new VOption { { "shrink", shrink } } : null), targetSize,
            ImageFileFacts.FromFile(path)));
    }

    /// <summary>Decodes an encoded image held in memory; <paramref name="name"/> is used in error messages.</summary>
    public DecodedImage Decode(byte[] bytes, string name, (int Height, int Width)? targetSize = null)
    {
        if (bytes.Length == 0) throw new ClipSharpException($"{name}: the image data is empty (0 bytes).");
        if (!_vipsLoads()) return DecodeWithoutVips(bytes, name, targetSize);
        if (Options.FastJpeg && TryFast(bytes, name, targetSize) is { } fast) return fast;
        return WithWarnings(() => DecodeCore(name, shrink => Image.NewFromBuffer(bytes, access: Enums.Access.Sequential,
            failOn: Enums.FailOn.Error, kwargs: shrink > 1 ? new VOption { { "shrink", shrink } } : null), targetSize,
            ImageFileFacts.FromBytes(bytes)));
    }

    // libvips' warnings during one decode (see VipsWarnings): on the error when it fails, on the image when it is usable.
    private static DecodedImage WithWarnings(Func<DecodedImage> decode)
    {
        using var w = VipsWarnings.Collect();
        DecodedImage img;
        try { img = decode(); }
        catch (ClipSharpException e) when (w.Warnings.Count > 0)
        {
            throw new ClipSharpException(e.Message.TrimEnd('.') + w.Suffix + ".", e.InnerException ?? e);
        }
        img.Warnings = w.Warnings.Distinct().ToArray();
        return img;
    }

    // file: the file's own header facts, for the Pillow mode (read lazily, per format).
    private DecodedImage DecodeCore(string source, Func<int, Image> open, (int Height, int Width)? target, ImageFileFacts file)
    {
        Image? img = null;
        try
        {
            try { img = open(1); }
            catch (VipsException e) { throw new ClipSharpException($"{source}: not a readable image ({OneLine(e)}).", e); }
            CheckPixels(img.Width, img.Height, Options.MaxPixels, source);
            int shrink = ShrinkFactor(img, target);
            if (shrink > 1) { img.Dispose(); img = open(shrink); }
            var mode = PilModeReader.Detect(img, file);
            var transparent = PilModeReader.GifTransparentColour(img, file);
            Image decoded;
            try { decoded = img.CopyMemory(); } // decodes every pixel now: truncation and corruption surface here
            catch (VipsException e) { throw new ClipSharpException($"{source}: corrupt or truncated image data ({OneLine(e)}).", e); }
            img.Dispose();
            img = decoded;
            var normalised = Normalise(img, mode, transparent, source);
            if (!ReferenceEquals(normalised, img))
            {
                try { normalised = normalised.CopyMemory(); }
                catch (VipsException e) { throw new ClipSharpException($"{source}: cannot convert the image ({OneLine(e)}).", e); }
                img.Dispose();
                img = normalised;
            }
            var result = new DecodedImage(img, source, mode, shrink);
            img = null;
            return result;
        }
        finally { img?.Dispose(); }
    }

    // The JPEG fast path (FastJpegDecoder: libturbojpeg or Skia); null: decode with libvips instead.
    private DecodedImage? TryFast(byte[]? data, string source, (int Height, int Width)? target)
    {
        if (data is null || !JpegHeader.TryRead(data, out var h)) return null;
        int shrink = ShrinkFactor(h.Width, h.Height, isJpeg: true, target);
        return _skiaLoads is null ? FastJpegDecoder.TryDecode(data, h, shrink, Options, source)
            : FastJpegDecoder.TryDecode(data, h, shrink, Options, _skiaLoads, source);
    }

    // The whole file when it starts with the JPEG signature, else null (without reading the rest). Null on a read
    // error too: libvips then reports it in its words.
    private static byte[]? ReadIfJpeg(string path)
    {
        try { return ReadJpegFile(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    // One handle and positional reads (no FileStream): the first 3 bytes, then, for a JPEG, the rest into the same array.
    private static byte[]? ReadJpegFile(string path)
    {
        using var f = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long length = RandomAccess.GetLength(f);
        if (length < 3 || length > Array.MaxLength) return null;
        var data = GC.AllocateUninitializedArray<byte>((int)length);
        if (RandomAccess.Read(f, data.AsSpan(0, 3), 0) < 3 || !JpegHeader.HasJpegSignature(data)) return null;
        for (int got = 3; got < data.Length;)
        {
            int n = RandomAccess.Read(f, data.AsSpan(got), got);
            if (n <= 0) return null; // shrank while reading: libvips reports it
            got += n;
        }
        return data;
    }

    private int ShrinkFactor(Image img, (int Height, int Width)? target) =>
        ShrinkFactor(img.Width, img.Height,
            img.Contains("vips-loader") && ((string)img.Get("vips-loader")).StartsWith("jpegload", StringComparison.Ordinal), target);

    // JPEG only: libjpeg's DCT scaling by 2, 4 or 8. Never applied when no target size is known.
    private int ShrinkFactor(int width, int height, bool isJpeg, (int Height, int Width)? target)
    {
        if (!Options.ShrinkOnLoad || target is not { } t || !isJpeg) return 1;
        double needed = Options.ShrinkMargin * Math.Max(t.Height, t.Width);
        int shortSide = Math.Min(width, height), factor = 1;
        while (factor < 8 && shortSide / (factor * 2.0) >= needed) factor *= 2;
        return factor;
    }

    // -> the mode's layout (PilModeReader), upright. Returns the same instance when nothing needed doing.
    private Image Normalise(Image img, PilMode mode, double[]? transparentColour, string source)
    {
        var x = img;
        if (Options.AutoOrient && x.Contains("orientation") && (int)x.Get("orientation") is > 1 and <= 8) x = x.Autorot();
        return PilModeReader.Normalise(x, mode, transparentColour, source);
    }

    private static string OneLine(Exception e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join("; ", lines.Distinct()).TrimEnd('.');
    }
}
