using System.Runtime.InteropServices;

namespace ClipSharp.Data.Images;

/// <summary>
/// Decoded pixels in native memory (uchar, rows of width * bands bytes), owned by one <see cref="DecodedImage"/>: the
/// JPEG fast path decodes straight into it and the resampler reads it in place, so no copy into a libvips image is
/// made unless someone asks for <see cref="DecodedImage.Image"/>. Freed on dispose, or by the finalizer if forgotten.
/// </summary>
internal sealed unsafe class PixelBuffer : SafeHandle
{
    /// <summary>Allocates <paramref name="length"/> bytes (contents undefined).</summary>
    public PixelBuffer(nuint length) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((IntPtr)NativeMemory.Alloc(length == 0 ? 1 : length));
        Length = length;
    }

    /// <summary>Size in bytes.</summary>
    public nuint Length { get; }

    /// <summary>The first byte; valid until disposed.</summary>
    public byte* Pointer => (byte*)handle;

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
