using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// A decoded image, kept in memory in the <see cref="PilMode"/> Pillow would have opened it in (uchar with 1 (grey,
/// bilevel), 2 (grey + alpha), 3 (RGB, palette colours) or 4 (RGBA, CMYK) bands; ushort grey for "I;16"), so
/// transforms can reproduce OpenCLIP's order (resize in that mode, then convert to RGB).
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private readonly object _gate = new();
    private readonly PixelBuffer? _buffer; // the JPEG fast path's pixels; the libvips image is then made on demand
    private Image? _image;
    private IntPtr _pixels;

    /// <summary>
    /// The pixels (uchar, 1-4 bands, already EXIF-oriented when that option was on). For images from the JPEG fast
    /// path the libvips image is made (a copy of the pixels) on first use.
    /// </summary>
    public Image Image
    {
        get
        {
            if (_image is { } img) return img;
            lock (_gate)
                return _image ??= MakeImage();
        }
    }

    /// <summary>Where it came from (a path or a caller-given name), for error messages.</summary>
    public string Source { get; }

    /// <summary>The Pillow mode (band layout and resize / convert rules).</summary>
    public PilMode Mode { get; }

    /// <summary>True for palette (indexed) images: Pillow mode "P", resized with nearest neighbour.</summary>
    public bool IsPalette => Mode == PilMode.P;

    /// <summary>libvips' warnings while decoding it (corrupt data it could recover from); empty unless <see cref="VipsWarnings.Capture"/> ran.</summary>
    public IReadOnlyList<string> Warnings { get; internal set; } = [];

    /// <summary>The JPEG shrink-on-load factor that was applied (1 = none).</summary>
    public int ShrinkFactor { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Band count (1-4).</summary>
    public int Bands { get; }

    /// <summary>Bytes per band value: 2 for <see cref="PilMode.I16"/> (native-endian ushort), else 1.</summary>
    public int SampleBytes => Mode == PilMode.I16 ? 2 : 1;

    /// <summary>True for "LA" and "RGBA" (the last band is alpha).</summary>
    public bool HasAlpha => Mode is PilMode.LA or PilMode.Rgba;

    /// <summary>
    /// Wraps an already-normalised image: uchar with the band count of <paramref name="mode"/> (when null: "L", "LA",
    /// "RGB" or "RGBA" by band count), or a 1-band ushort image for <see cref="PilMode.I16"/>.
    /// </summary>
    public DecodedImage(Image image, string source, PilMode? mode = null, int shrinkFactor = 1)
    {
        var m = mode ?? ModeOfBands(image.Bands, source);
        var format = m == PilMode.I16 ? Enums.BandFormat.Ushort : Enums.BandFormat.Uchar;
        if (image.Format != format || image.Bands != BandsOf(m))
            throw new ArgumentException($"{source}: mode {m} expects {format} x {BandsOf(m)}, got {image.Format} x {image.Bands}.", nameof(image));
        _image = image; Source = source; Mode = m; ShrinkFactor = shrinkFactor;
        Width = image.Width; Height = image.Height; Bands = image.Bands;
    }

    /// <summary>Bands of a mode's pixels as kept here.</summary>
    public static int BandsOf(PilMode mode) => mode switch
    {
        PilMode.L or PilMode.One or PilMode.I16 => 1,
        PilMode.LA => 2,
        PilMode.Rgb or PilMode.P => 3,
        PilMode.Rgba or PilMode.Cmyk => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private static PilMode ModeOfBands(int bands, string source) => bands switch
    {
        1 => PilMode.L,
        2 => PilMode.LA,
        3 => PilMode.Rgb,
        4 => PilMode.Rgba,
        _ => throw new ArgumentException($"{source}: expected 1-4 bands, got {bands}.", nameof(bands)),
    };

    // Takes ownership of buffer: width * height * bands bytes of packed rows ("L", "LA", "RGB" or "RGBA" by band count).
    internal DecodedImage(PixelBuffer buffer, int width, int height, int bands, string source, int shrinkFactor = 1)
        : this(buffer, width, height, ModeOfBands(bands, source), source, shrinkFactor) { }

    // Takes ownership of buffer: width * height * BandsOf(mode) bytes of packed uchar rows (not "I;16").
    internal DecodedImage(PixelBuffer buffer, int width, int height, PilMode mode, string source, int shrinkFactor = 1)
    {
        if (mode == PilMode.I16) throw new ArgumentException($"{source}: a pixel buffer holds uchar modes only.", nameof(mode));
        int bands = BandsOf(mode);
        if (width < 1 || height < 1 || (ulong)buffer.Length < (ulong)width * (ulong)height * (ulong)bands)
            throw new ArgumentException($"{source}: a {width}x{height}x{bands} image does not fit its {buffer.Length}-byte buffer.", nameof(buffer));
        _buffer = buffer; Source = source; ShrinkFactor = shrinkFactor;
        Width = width; Height = height; Bands = bands; Mode = mode;
    }

    /// <summary>
    /// The pixels in place (rows of Width * Bands * SampleBytes bytes, top to bottom), rendering the image into memory on first
    /// use if it is not there yet. Valid while this object is alive and not disposed.
    /// </summary>
    internal unsafe ReadOnlySpan<byte> Pixels
    {
        get
        {
            int length = checked(Width * Height * Bands * SampleBytes);
            if (_buffer is not null)
            {
                ObjectDisposedException.ThrowIf(_buffer.IsClosed, this);
                return new ReadOnlySpan<byte>(_buffer.Pointer, length);
            }
            if (_pixels == IntPtr.Zero)
                lock (_gate)
                    if (_pixels == IntPtr.Zero) _pixels = VipsPixels.Address(Image, Source);
            return new ReadOnlySpan<byte>((void*)_pixels, length);
        }
    }

    private unsafe Image MakeImage()
    {
        ObjectDisposedException.ThrowIf(_buffer is null || _buffer.IsClosed, this);
        return Image.NewFromMemoryCopy((IntPtr)_buffer.Pointer, (nuint)Width * (nuint)Height * (nuint)Bands, Width, Height, Bands,
            Enums.BandFormat.Uchar);
    }

    /// <summary>Releases the pixels (and the libvips image, if one was made).</summary>
    public void Dispose()
    {
        _image?.Dispose();
        _buffer?.Dispose();
    }
}
