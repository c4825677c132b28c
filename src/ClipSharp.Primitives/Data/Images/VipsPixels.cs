using System.Runtime.InteropServices;
using ClipSharp.Core;
using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Direct access to the pixel memory of a libvips image (<c>vips_image_get_data</c>, which NetVips does not wrap),
/// so the resampler reads decoded pixels in place instead of copying them out with <c>WriteToMemory</c>.
/// </summary>
internal static partial class VipsPixels
{
    // The same shared object NetVips binds to on Linux (NetVips.Native ships it as runtimes/linux-x64/native).
    private const string Lib = "libvips.so.42";

    [LibraryImport(Lib, EntryPoint = "vips_image_get_data")]
    private static partial IntPtr GetData(IntPtr image);

    /// <summary>
    /// The address of <paramref name="image"/>'s pixels: rows of width * bands bytes (uchar), top to bottom. An image
    /// that is not in memory yet is rendered into memory first (libvips does that in place). Valid while the image lives.
    /// </summary>
    public static IntPtr Address(Image image, string source)
    {
        bool added = false;
        image.DangerousAddRef(ref added);
        try
        {
            var p = GetData(image.DangerousGetHandle());
            if (p == IntPtr.Zero)
                throw new ClipSharpException($"{source}: libvips could not provide the image pixels.");
            return p;
        }
        finally { if (added) image.DangerousRelease(); }
    }
}
