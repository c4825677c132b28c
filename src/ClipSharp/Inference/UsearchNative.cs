using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace ClipSharp.Inference;

/// <summary>
/// The C API of USearch (<c>libusearch_c</c>, shipped for linux-x64 by the Cloud.Unum.USearch package), declared here
/// for the calls the package's managed wrapper does not expose: changing expansion_search and the number of thread
/// contexts after a load, the memory usage, and reserving capacity once per batch (the wrapper reserves on every add).
/// Types (<see cref="IndexOptions"/>, <see cref="ScalarKind"/>, <see cref="MetricKind"/>) are the package's own.
/// Every call takes <c>out IntPtr error</c>: a non-null C string the library owns.
/// </summary>
internal static partial class UsearchNative
{
    private const string Lib = "libusearch_c";

    // IndexOptions holds a bool (not blittable): the runtime marshaller, as the package's own declaration does
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern IntPtr usearch_init(ref IndexOptions options, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_free(IntPtr index, out IntPtr error);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial void usearch_save(IntPtr index, string path, out IntPtr error);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial void usearch_load(IntPtr index, string path, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_size(IntPtr index, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_capacity(IntPtr index, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_dimensions(IntPtr index, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_connectivity(IntPtr index, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_memory_usage(IntPtr index, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_reserve(IntPtr index, nuint capacity, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_change_expansion_search(IntPtr index, nuint expansion, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_change_expansion_add(IntPtr index, nuint expansion, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_change_threads_search(IntPtr index, nuint threads, out IntPtr error);
    [LibraryImport(Lib)] public static partial void usearch_change_threads_add(IntPtr index, nuint threads, out IntPtr error);
    [LibraryImport(Lib)] public static unsafe partial void usearch_add(IntPtr index, ulong key, float* vector, ScalarKind kind, out IntPtr error);
    [LibraryImport(Lib)] public static unsafe partial nuint usearch_search(IntPtr index, float* query, ScalarKind kind, nuint limit, ulong* keys, float* distances, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_remove(IntPtr index, ulong key, out IntPtr error);
    [LibraryImport(Lib)] public static partial nuint usearch_rename(IntPtr index, ulong from, ulong to, out IntPtr error);
    [LibraryImport(Lib)] public static partial IntPtr usearch_version();
    [LibraryImport(Lib)] public static partial IntPtr usearch_hardware_acceleration(IntPtr index, out IntPtr error);

    /// <summary>Throws when <paramref name="error"/> is set, naming what was being done.</summary>
    public static void Check(IntPtr error, string what)
    {
        if (error != IntPtr.Zero) throw new Core.ClipSharpException($"USearch: {what}: {Marshal.PtrToStringUTF8(error)}");
    }
}
