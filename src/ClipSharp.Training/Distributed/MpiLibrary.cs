using System.Runtime.InteropServices;
using System.Text;
using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// libmpi bound at run time (no compile-time MPI dependency). Targets the Open MPI ABI (libmpi.so.40, Open MPI 3–5):
/// there MPI_Comm, MPI_Datatype, MPI_Op and MPI_Errhandler are pointers, and the predefined handles
/// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of exported globals (ompi_mpi_comm_world,
/// ompi_mpi_float, ompi_mpi_op_sum, ...), resolved here with NativeLibrary.GetExport; MPI_IN_PLACE is (void*)1.
/// MPICH-family libraries (libmpich.so.12, Intel MPI) use integer handles with compile-time values instead; they are
/// detected (no ompi_mpi_comm_world export) and refused with a clear message rather than guessed.
/// The library is opened RTLD_GLOBAL because Open MPI dlopens its MCA components, which need libmpi's symbols.
/// Override the file with CLIPSHARP_MPI_LIBRARY.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public const int ThreadSerialized = 2;  // MPI_THREAD_SERIALIZED in Open MPI's enum (SINGLE=0, FUNNELED, SERIALIZED, MULTIPLE)
    public static readonly IntPtr InPlace = 1;   // Open MPI: #define MPI_IN_PLACE ((void *) 1)

    private static readonly string[] Candidates = ["libmpi.so.40", "libmpi.so", "libmpi.so.12", "libmpich.so.12"];
    private static readonly Lazy<MpiLibrary> Shared = new(() => new MpiLibrary());

    public static MpiLibrary Instance => Shared.Value;

    public string Path { get; }
    public IntPtr CommWorld, Byte, Float, Double, Int8, UInt8, Int32, Int64, OpSum, OpMax, ErrorsReturn;

    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommRank;
    public readonly delegate* unmanaged<IntPtr, int*, int> CommSize;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int> CommSetErrhandler;
    public readonly delegate* unmanaged<IntPtr, int> Barrier;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> Bcast;
    public readonly delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int> Allgather;
    public readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;
    public readonly delegate* unmanaged<byte*, int*, int> GetLibraryVersion;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    private MpiLibrary()
    {
        var names = Environment.GetEnvironmentVariable("CLIPSHARP_MPI_LIBRARY") is { Length: > 0 } o ? [o] : Candidates;
        IntPtr h = IntPtr.Zero;
        string? path = null;
        foreach (var n in names)
        {
            const int RtldNowGlobal = 0x2 | 0x100;
            h = OperatingSystem.IsLinux() ? DlOpen(n, RtldNowGlobal) : IntPtr.Zero;
            if (h == IntPtr.Zero) NativeLibrary.TryLoad(n, out h);
            if (h != IntPtr.Zero) { path = n; break; }
        }
        if (h == IntPtr.Zero || path is null)
            throw new ClipSharpException($"No MPI library found (tried {string.Join(", ", names)}); install Open MPI (apt-get install openmpi-bin libopenmpi-dev) or set CLIPSHARP_MPI_LIBRARY.");
        Path = path;
        if (!NativeLibrary.TryGetExport(h, "ompi_mpi_comm_world", out CommWorld))
            throw new ClipSharpException($"MPI library {path} is not Open MPI (no ompi_mpi_comm_world export); ClipSharp binds the Open MPI ABI only — install Open MPI or point CLIPSHARP_MPI_LIBRARY at its libmpi.so.40.");

        IntPtr Sym(string name) => NativeLibrary.TryGetExport(h, name, out var p) ? p
            : throw new ClipSharpException($"MPI library {path} lacks the symbol {name}; it is too old or not Open MPI.");
        Byte = Sym("ompi_mpi_byte"); Float = Sym("ompi_mpi_float"); Double = Sym("ompi_mpi_double");
        Int8 = Sym("ompi_mpi_int8_t"); UInt8 = Sym("ompi_mpi_uint8_t"); Int32 = Sym("ompi_mpi_int32_t"); Int64 = Sym("ompi_mpi_int64_t");
        OpSum = Sym("ompi_mpi_op_sum"); OpMax = Sym("ompi_mpi_op_max"); ErrorsReturn = Sym("ompi_mpi_errors_return");

        Initialized = (delegate* unmanaged<int*, int>)Sym("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Sym("MPI_Finalized");
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)Sym("MPI_Init_thread");
        Finalize = (delegate* unmanaged<int>)Sym("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Sym("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Sym("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Sym("MPI_Comm_set_errhandler");
        Barrier = (delegate* unmanaged<IntPtr, int>)Sym("MPI_Barrier");
        Bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Sym("MPI_Bcast");
        Allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Sym("MPI_Allreduce");
        Allgather = (delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int>)Sym("MPI_Allgather");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Sym("MPI_Abort");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Sym("MPI_Error_string");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Sym("MPI_Get_library_version");
    }

    /// <summary>The library's own version line, e.g. "Open MPI v4.1.4, ...".</summary>
    public string Version()
    {
        var buf = stackalloc byte[8192];  // ≥ MPI_MAX_LIBRARY_VERSION_STRING (256 in Open MPI)
        int len = 0;
        return GetLibraryVersion(buf, &len) == 0 ? Encoding.UTF8.GetString(buf, len).Split('\n')[0].Trim('\0', ' ') : "unknown";
    }

    /// <summary>Throws naming the call and the MPI error text when rc is not MPI_SUCCESS.</summary>
    public void Check(int rc, string call, int rank)
    {
        if (rc == 0) return;
        var buf = stackalloc byte[1024];  // ≥ MPI_MAX_ERROR_STRING (256)
        int len = 0;
        var text = ErrorString(rc, buf, &len) == 0 ? Encoding.UTF8.GetString(buf, len) : $"error code {rc}";
        throw new ClipSharpException($"{call} failed on rank {rank}: {text}.");
    }

    /// <summary>The MPI datatype for reductions over <paramref name="dtype"/> (bool as uint8).</summary>
    public IntPtr ReduceType(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => Float,
        ScalarType.Float64 => Double,
        ScalarType.Int8 => Int8,
        ScalarType.Byte or ScalarType.Bool => UInt8,
        ScalarType.Int32 => Int32,
        ScalarType.Int64 => Int64,
        _ => IntPtr.Zero,  // float16/bfloat16/int16: reduced through a float32 copy by the caller
    };
}
