using System.Runtime.CompilerServices;

namespace ClipSharp.Data.Images;

/// <summary>
/// Whether libvips (<c>libvips.so.42</c>, from the NuGet package <c>NetVips.Native.linux-x64</c> or the system) loaded in
/// this process. ClipSharpNet.Primitives references the managed NetVips API only: the torch package
/// (ClipSharpNet.TorchSharp) brings the native library, an ONNX Runtime app decodes JPEG and PNG with Skia instead
/// (<see cref="SkiaImageDecoder"/>) unless it adds <c>NetVips.Native.linux-x64</c> for the other formats. NetVips tries
/// to load libvips once, when its assembly is first used; this reads the outcome. Thread-safe.
/// </summary>
internal static class VipsNative
{
    private static readonly Lazy<bool> Loads = new(Probe);

    /// <summary>True when libvips loaded and initialised.</summary>
    public static bool IsAvailable => Loads.Value;

    // Kept out of line: the first NetVips type touched runs its module initializer (the load attempt).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Probe()
    {
        try { return NetVips.ModuleInitializer.VipsInitialized; }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException) { return false; }
    }
}
