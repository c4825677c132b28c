namespace ClipSharp.Data.Images;

/// <summary>Options for <see cref="ImageDecoder"/>.</summary>
/// <param name="MaxPixels">Largest width x height accepted; larger images are refused before their pixels are
/// decoded (decompression-bomb guard). Default 178,956,970, Pillow's <c>DecompressionBombError</c> threshold.</param>
/// <param name="AutoOrient">Apply the EXIF orientation tag (Pillow, hence OpenCLIP, does not; on by default because a
/// sideways photo is a wrong sample).</param>
/// <param name="ShrinkOnLoad">Let libjpeg decode large JPEGs at 1/2, 1/4 or 1/8 scale (much faster).</param>
/// <param name="ShrinkMargin">With <paramref name="ShrinkOnLoad"/>: shrink only while the shorter decoded side stays at
/// least this many times the largest requested output side, so the final antialiased resize still does the
/// real downscaling (see the parity notes in EvalTransform for the measured effect).</param>
/// <param name="FastJpeg">Decode plain JPEGs (8-bit grey or YCbCr, nothing to rotate) with Skia's codec instead of
/// libvips: the same libjpeg-turbo decode, pixel for pixel, without libvips' per-image pipeline cost (a 64-pixel JPEG
/// in about 1/6 of the time). Any other file, and any JPEG that does not decode cleanly, goes through libvips, so
/// results and error messages do not depend on this switch. The Skia route needs Skia's native library, which the
/// TorchSharp package brings and an ONNX Runtime app gets by adding <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>;
/// without it those files go to libvips too.</param>
/// <param name="FastJpegMaxPixels">Largest JPEG (width x height) the fast path takes. Skia's libjpeg-turbo build is
/// slower per pixel than libvips' (measured on the 2-core dev machine, us per decode, libvips vs fast: 64 px 500 vs 60-190,
/// 128 px 800-1180 vs 350-410, 224 px ~1100 vs 870-1190, 500x375 1500-1750 vs 4000-4500), so past about 224 x 224
/// libvips' fixed cost is repaid and libvips decodes. Does not apply to the libturbojpeg route.</param>
/// <param name="TurboJpeg">With <paramref name="FastJpeg"/>: decode plain JPEGs of any size with the system's
/// libturbojpeg (<c>libturbojpeg.so.0</c>, Debian package <c>libturbojpeg0</c>) when it can be loaded: the same
/// libjpeg-turbo decode as libvips', pixel for pixel, in about 0.4 of the time on a 500 x 375 photo. Without the library
/// the Skia route (up to <paramref name="FastJpegMaxPixels"/>) and libvips decode as before.</param>
public sealed record ImageDecoderOptions(
    long MaxPixels = 178_956_970,
    bool AutoOrient = true,
    bool ShrinkOnLoad = false,
    double ShrinkMargin = 2.0,
    bool FastJpeg = true,
    long FastJpegMaxPixels = 224 * 224,
    bool TurboJpeg = true)
{
    /// <summary>The defaults.</summary>
    public static ImageDecoderOptions Default { get; } = new();
}
