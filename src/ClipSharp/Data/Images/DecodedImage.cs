using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// A decoded image, kept in memory as uchar with 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) bands, in the
/// "mode" Pillow would have opened it in, so transforms can reproduce OpenCLIP's order (resize before convert).
/// </summary>
public sealed class DecodedImage : IDisposable
{
    /// <summary>The pixels (uchar, 1-4 bands, already EXIF-oriented when that option was on).</summary>
    public Image Image { get; }

    /// <summary>Where it came from (a path or a caller-given name), for error messages.</summary>
    public string Source { get; }

    /// <summary>True for palette (indexed) images: Pillow mode "P", resized with nearest neighbour.</summary>
    public bool IsPalette { get; }

    /// <summary>The JPEG shrink-on-load factor that was applied (1 = none).</summary>
    public int ShrinkFactor { get; }

    /// <summary>Width in pixels.</summary>
    public int Width => Image.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => Image.Height;

    /// <summary>Band count (1-4).</summary>
    public int Bands => Image.Bands;

    /// <summary>True for 2 and 4 bands (the last band is alpha).</summary>
    public bool HasAlpha => Image.Bands is 2 or 4;

    /// <summary>Wraps an already-normalised uchar image with 1-4 bands.</summary>
    public DecodedImage(Image image, string source, bool isPalette = false, int shrinkFactor = 1)
    {
        if (image.Format != Enums.BandFormat.Uchar || image.Bands is < 1 or > 4)
            throw new ArgumentException($"{source}: expected a uchar image with 1-4 bands, got {image.Format} x {image.Bands}.", nameof(image));
        Image = image; Source = source; IsPalette = isPalette; ShrinkFactor = shrinkFactor;
    }

    private readonly object _gate = new();
    private IntPtr _pixels;

    /// <summary>
    /// The pixels in place (rows of Width * Bands bytes, top to bottom), rendering the image into memory on first
    /// use if it is not there yet. Valid while this object is alive and not disposed.
    /// </summary>
    internal unsafe ReadOnlySpan<byte> Pixels
    {
        get
        {
            if (_pixels == IntPtr.Zero)
                lock (_gate)
                    if (_pixels == IntPtr.Zero) _pixels = VipsPixels.Address(Image, Source);
            return new ReadOnlySpan<byte>((void*)_pixels, checked(Width * Height * Bands));
        }
    }

    /// <summary>Releases the libvips image.</summary>
    public void Dispose() => Image.Dispose();
}
