using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// A decoded image, kept in memory as uchar with 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) bands, in the
/// "mode" Pillow would have opened it in, so transforms can reproduce OpenCLIP's order (resize before convert).
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

    /// <summary>True for palette (indexed) images: Pillow mode "P", resized with nearest neighbour.</summary>
    public bool IsPalette { get; }

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

    /// <summary>True for 2 and 4 bands (the last band is alpha).</summary>
    public bool HasAlpha => Bands is 2 or 4;

    /// <summary>Wraps an already-normalised uchar image with 1-4 bands.</summary>
    public DecodedImage(Image image, string source, bool isPalette = false, int shrinkFactor = 1)
    {
        if (image.Format != Enums.BandFormat.Uchar || image.Bands is < 1 or > 4)
            throw new ArgumentException($"{source}: expected a uchar image with 1-4 bands, got {image.Format} x {image.Bands}.", nameof(image));
        _image = image; Source = source; IsPalette = isPalette; ShrinkFactor = shrinkFactor;
        Width = image.Width; Height = image.Height; Bands = image.Bands;
    }

    // Takes ownership of buffer: width * height * bands bytes of packed rows.
    internal DecodedImage(PixelBuffer buffer, int width, int height, int bands, string source, int shrinkFactor = 1)
    {
        if (bands is < 1 or > 4 || width < 1 || height < 1 || (ulong)buffer.Length < (ulong)width * (ulong)height * (ulong)bands)
            throw new ArgumentException($"{source}: a {width}x{height}x{bands} image does not fit its {buffer.Length}-byte buffer.", nameof(buffer));
        _buffer = buffer; Source = source; ShrinkFactor = shrinkFactor;
        Width = width; Height = height; Bands = bands;
    }

    /// <summary>
    /// The pixels in place (rows of Width * Bands bytes, top to bottom), rendering the image into memory on first
    /// use if it is not there yet. Valid while this object is alive and not disposed.
    /// </summary>
    internal unsafe ReadOnlySpan<byte> Pixels
    {
        get
        {
            int length = checked(Width * Height * Bands);
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
