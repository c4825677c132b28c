using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// UNTESTED HERE (no GPU on the development machine): libnccl.so.2 and libcudart bound at run time for
/// <see cref="NcclCollectives"/>. Signatures follow nccl.h (NCCL ≥ 2.4): handles are pointers, counts are size_t,
/// ncclUniqueId is a 128-byte struct passed by value, and every call takes a cudaStream_t (0 = the legacy default
/// stream, the one libtorch runs TorchSharp's kernels on, so no extra synchronisation is needed).
/// </summary>
internal sealed unsafe class NcclLibrary
{
    [StructLayout(LayoutKind.Sequential)]
    public struct UniqueId { public fixed byte Internal[128]; }

    private static readonly string[] Candidates = ["libnccl.so.2", "libnccl.so"];
    private static readonly string[] CudartCandidates = ["libcudart.so.12", "libcudart.so.11.0", "libcudart.so"];

    public readonly delegate* unmanaged<UniqueId*, int> GetUniqueId;
    public readonly delegate* unmanaged<IntPtr*, int, UniqueId, int, int> CommInitRank;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> AllReduce;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> Broadcast;
    public readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, IntPtr, IntPtr, int> AllGather;
    public readonly delegate* unmanaged<IntPtr, int> CommDestroy;
    public readonly delegate* unmanaged<IntPtr, int> CommAbort;
    public readonly delegate* unmanaged<int, IntPtr> GetErrorString;
    public readonly delegate* unmanaged<int, int> CudaSetDevice;  // null when libcudart is not found

    private NcclLibrary(IntPtr h)
    {
        IntPtr Sym(string n) => NativeLibrary.GetExport(h, n);
        GetUniqueId = (delegate* unmanaged<UniqueId*, int>)Sym("ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<IntPtr*, int, UniqueId, int, int>)Sym("ncclCommInitRank");
        AllReduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)Sym("ncclAllReduce");
        Broadcast = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)Sym("ncclBroadcast");
        AllGather = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, IntPtr, IntPtr, int>)Sym("ncclAllGather");
        CommDestroy = (delegate* unmanaged<IntPtr, int>)Sym("ncclCommDestroy");
        CommAbort = (delegate* unmanaged<IntPtr, int>)Sym("ncclCommAbort");
        GetErrorString = (delegate* unmanaged<int, IntPtr>)Sym("ncclGetErrorString");
        foreach (var n in CudartCandidates)
            if (NativeLibrary.TryLoad(n, out var c) && NativeLibrary.TryGetExport(c, "cudaSetDevice", out var f))
            {
                CudaSetDevice = (delegate* unmanaged<int, int>)f;
                break;
            }
    }

    /// <summary>Loads libnccl (or CLIPSHARP_NCCL_LIBRARY); false when it is absent.</summary>
    public static bool TryLoad(out NcclLibrary? lib)
    {
        lib = null;
        var names = Environment.GetEnvironmentVariable("CLIPSHARP_NCCL_LIBRARY") is { Length: > 0 } o ? [o] : Candidates;
        foreach (var n in names)
            if (NativeLibrary.TryLoad(n, out var h))
            {
                lib = new NcclLibrary(h);
                return true;
            }
        return false;
    }

    public string Error(int rc) => Marshal.PtrToStringUTF8(GetErrorString(rc)) ?? $"ncclResult {rc}";

    /// <summary>ncclDataType_t for a dtype (bool as uint8); -1 when NCCL has none.</summary>
    public static int DataType(ScalarType t) => t switch
    {
        ScalarType.Int8 => 0, ScalarType.Byte or ScalarType.Bool => 1, ScalarType.Int32 => 2, ScalarType.Int64 => 4,
        ScalarType.Float16 => 6, ScalarType.Float32 => 7, ScalarType.Float64 => 8, ScalarType.BFloat16 => 9,
        _ => -1,
    };
}
