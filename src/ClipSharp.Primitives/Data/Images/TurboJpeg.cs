using System.Runtime.InteropServices;

namespace ClipSharp.Data.Images;

/// <summary>
/// The libturbojpeg route of the JPEG fast path (<see cref="FastJpegDecoder"/>): the system's TurboJPEG API
/// (libjpeg-turbo, the codec libvips' jpegload wraps) called directly, about 2.4x faster than libvips on a 500 x 375
/// JPEG. Loaded lazily from <c>libturbojpeg.so.0</c> (Debian's <c>libturbojpeg0</c>); where it is missing the route is
/// simply unavailable. Decodes with flags 0 (islow DCT, fancy upsampling: libvips' and Pillow's settings) plus
/// TJFLAG_STOPONWARNING, so a corrupt stream libjpeg only warns about comes back as a failure; every failure returns
/// null and libvips decodes, giving today's result or error message.
/// </summary>
internal static unsafe class TurboJpeg
{
    private const int PixelFormatRgb = 0, PixelFormatGray = 6;        // TJPF_RGB, TJPF_GRAY
    private const int ColourspaceRgb = 0, ColourspaceYCbCr = 1, ColourspaceGray = 2; // TJCS_*
    private const int FlagStopOnWarning = 0x2000;                    // TJFLAG_STOPONWARNING (libjpeg-turbo >= 2.0)

    private static readonly Api? Lib = Load();

    [ThreadStatic] private static DecompressHandle? _handle; // one per thread; freed by its finalizer after the thread ends

    /// <summary>True when libturbojpeg was found and has every entry point used here.</summary>
    public static bool IsAvailable => Lib is not null;

    /// <summary>
    /// Decodes a JPEG that <see cref="FastJpegDecoder"/> already checked (plain, clean marker structure, within the pixel
    /// limit, nothing to rotate) at 1/<paramref name="shrink"/> scale, keeping floor(size / shrink) pixels like libvips'
    /// jpegload, straight into the image's own native buffer (no libvips copy); null on any doubt or failure.
    /// </summary>
    public static DecodedImage? TryDecode(byte[] data, in JpegHeader h, int shrink, string source = "jpeg")
    {
        if (Lib is not { } api) return null;
        var handle = _handle ??= DecompressHandle.Create(api);
        if (handle is null) return null;
        int bands = h.Components == 1 ? 1 : 3;
        fixed (byte* src = data)
        {
            int w, ht, subsamp, cs;
            if (api.Header(handle.Value, src, new CULong((nuint)data.Length), &w, &ht, &subsamp, &cs) != 0) return Drop(handle);
            if (w != h.Width || ht != h.Height) return null;
            if (bands == 1 ? cs != ColourspaceGray : cs is not (ColourspaceYCbCr or ColourspaceRgb)) return null;
            var (outW, outH, keepW, keepH) = h.Scaled(shrink);   // w, ht equal h's size (checked above)
            if (keepW < 1 || keepH < 1 || !PicksScale(api, w, ht, outW, outH, shrink)) return null;
            nuint rowBytes = (nuint)outW * (nuint)bands;
            var buffer = new PixelBuffer(rowBytes * (nuint)outH);
            try
            {
                byte* dst = buffer.Pointer;
                int rc = api.Decompress(handle.Value, src, new CULong((nuint)data.Length), dst, outW, 0, outH,
                    bands == 1 ? PixelFormatGray : PixelFormatRgb, FlagStopOnWarning);
                if (rc != 0) return Drop(handle);
                nuint keepRow = (nuint)keepW * (nuint)bands;
                if (keepW != outW)
                    for (nuint y = 1; y < (nuint)keepH; y++) Buffer.MemoryCopy(dst + y * rowBytes, dst + y * keepRow, keepRow, keepRow);
                var image = new DecodedImage(buffer, keepW, keepH, bands, source, shrink);
                buffer = null;
                return image;
            }
            finally { buffer?.Dispose(); }
        }
    }

    // A failed tjDecompressHeader3 leaves libjpeg's decompressor mid-header (libjpeg-turbo 2.1 returns from its error
    // handler without jpeg_abort_decompress), and every later call on that handle fails with "Improper call to JPEG
    // library in state 201": one corrupt file would turn this thread's fast path off for good. A handle that saw an
    // error is thrown away; the next call makes a fresh one.
    private static DecodedImage? Drop(DecompressHandle handle)
    {
        if (ReferenceEquals(_handle, handle)) _handle = null;
        handle.Dispose();
        return null;
    }

    // tjDecompress2 takes the first of its scaling factors (largest first) whose output fits the requested size; on
    // small images a larger factor than 1/shrink can give the same size (3 px at 5/8 and at 1/2 both make 2), and that
    // would be a different decode. Only go on when the factor it will pick is exactly 1/shrink.
    private static bool PicksScale(Api api, int w, int h, int outW, int outH, int shrink)
    {
        foreach (var (num, denom) in api.ScalingFactors)
        {
            int sw = (int)(((long)w * num + denom - 1) / denom), sh = (int)(((long)h * num + denom - 1) / denom);
            if (sw <= outW && sh <= outH) return num * shrink == denom;
        }
        return false;
    }

    private static Api? Load()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libturbojpeg.so.0", out var lib)) return null;
            if (!NativeLibrary.TryGetExport(lib, "tjInitDecompress", out var init)
                || !NativeLibrary.TryGetExport(lib, "tjDecompressHeader3", out var header)
                || !NativeLibrary.TryGetExport(lib, "tjDecompress2", out var decompress)
                || !NativeLibrary.TryGetExport(lib, "tjDestroy", out var destroy)
                || !NativeLibrary.TryGetExport(lib, "tjGetScalingFactors", out var factors)) return null;
            int n;
            var sf = ((delegate* unmanaged<int*, int*>)factors)(&n);
            if (sf is null || n <= 0) return null;
            var list = new (int, int)[n];
            for (int i = 0; i < n; i++) list[i] = (sf[2 * i], sf[2 * i + 1]); // tjscalingfactor { int num, denom; }
            return new Api((delegate* unmanaged<IntPtr>)init,
                (delegate* unmanaged<IntPtr, byte*, CULong, int*, int*, int*, int*, int>)header,
                (delegate* unmanaged<IntPtr, byte*, CULong, byte*, int, int, int, int, int, int>)decompress,
                (delegate* unmanaged<IntPtr, int>)destroy, list);
        }
        catch (Exception e) when (e is BadImageFormatException or DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    private sealed class Api(
        delegate* unmanaged<IntPtr> init,
        delegate* unmanaged<IntPtr, byte*, CULong, int*, int*, int*, int*, int> header,
        delegate* unmanaged<IntPtr, byte*, CULong, byte*, int, int, int, int, int, int> decompress,
        delegate* unmanaged<IntPtr, int> destroy,
        (int Num, int Denom)[] scalingFactors)
    {
        public IntPtr Init() => init();
        public int Header(IntPtr h, byte* buf, CULong size, int* w, int* ht, int* subsamp, int* cs) => header(h, buf, size, w, ht, subsamp, cs);
        public int Decompress(IntPtr h, byte* buf, CULong size, byte* dst, int w, int pitch, int ht, int format, int flags) =>
            decompress(h, buf, size, dst, w, pitch, ht, format, flags);
        public int Destroy(IntPtr h) => destroy(h);
        public (int Num, int Denom)[] ScalingFactors { get; } = scalingFactors;
    }

    private sealed class DecompressHandle : SafeHandle
    {
        private readonly Api _api;
        private DecompressHandle(Api api, IntPtr h) : base(IntPtr.Zero, ownsHandle: true) { _api = api; SetHandle(h); }
        public IntPtr Value => handle;
        public override bool IsInvalid => handle == IntPtr.Zero;
        public static DecompressHandle? Create(Api api)
        {
            var h = api.Init();
            return h == IntPtr.Zero ? null : new DecompressHandle(api, h);
        }
        protected override bool ReleaseHandle() => _api.Destroy(handle) == 0;
    }
}
