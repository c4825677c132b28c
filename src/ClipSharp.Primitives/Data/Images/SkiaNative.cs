using System.Runtime.CompilerServices;
using SkiaSharp;

namespace ClipSharp.Data.Images;

/// <summary>
/// Whether Skia's native library (<c>libSkiaSharp.so</c>) loads in this process, for <see cref="SkiaImageDecoder"/>
/// (the fast small-JPEG route of <see cref="FastJpegDecoder"/>, and JPEG and PNG where libvips is absent).
/// ClipSharpNet.Primitives references the managed SkiaSharp API only; both flavour packages bring
/// <c>SkiaSharp.NativeAssets.Linux.NoDependencies</c>. Without it the fast route is unavailable and libvips decodes
/// (the same pixels). Probed once, at the first file a Skia route could take; thread-safe.
/// </summary>
internal static class SkiaNative
{
    private static readonly Lazy<bool> Loads = new(() => Probe(TouchNative));

    /// <summary>True when libSkiaSharp loaded (and passed SkiaSharp's own version check).</summary>
    public static bool IsAvailable => Loads.Value;

    /// <summary>
    /// Runs <paramref name="touch"/> (a first call into the native library) and says whether it worked: false when the
    /// library is missing, lacks an entry point, is not loadable on this machine, or SkiaSharp's type initialisation
    /// (its native version check) failed; any other exception is a bug and propagates.
    /// </summary>
    internal static bool Probe(Action touch)
    {
        try
        {
            touch();
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
                                      or TypeInitializationException)
        {
            return false;
        }
    }

    // Kept out of line so that Probe's caller never JIT-compiles a SkiaSharp call site before the probe has run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TouchNative()
    {
        using var data = SKData.CreateCopy(new byte[1]);
    }
}
