using System.Diagnostics.CodeAnalysis;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// UNTESTED HERE (no GPU on the development machine). NCCL for CUDA tensors, MPI for everything else: MPI is the
/// rendezvous (rank 0's ncclUniqueId is broadcast over MPI), the barrier, and the path for CPU tensors. Each rank
/// drives cuda:LocalRank (set with cudaSetDevice before the communicator is created). Throws a clear error when
/// libnccl is absent.
/// </summary>
public sealed unsafe class NcclCollectives : ICollectives
{
    private readonly MpiCollectives _mpi;
    private readonly NcclLibrary _nccl;
    private IntPtr _comm;

    /// <summary>Creates the NCCL communicator over the ranks of <paramref name="mpi"/> (takes ownership of it).</summary>
    public NcclCollectives(MpiCollectives mpi, int localRank)
    {
        _mpi = mpi;
        if (!NcclLibrary.TryLoad(out var lib) || lib is null)
        {
            mpi.Dispose();
            throw new ClipSharpException("The NCCL backend needs libnccl.so.2, which was not found; install NCCL (or set CLIPSHARP_NCCL_LIBRARY) or use --dist mpi.");
        }
        _nccl = lib;
        Device = new Device(DeviceType.CUDA, localRank);
        if (_nccl.CudaSetDevice != null && _nccl.CudaSetDevice(localRank) is var rc and not 0)
            throw new ClipSharpException($"cudaSetDevice({localRank}) failed on rank {mpi.Rank} with CUDA error {rc}; is there a GPU for every local rank?");
        else if (localRank != 0) throw new ClipSharpException("libcudart was not found to select cuda:" + localRank + "; give each rank one GPU with CUDA_VISIBLE_DEVICES.");
        using var idBytes = torch.zeros(128, dtype: ScalarType.Byte);
        NcclLibrary.UniqueId id;
        if (mpi.IsMain)
        {
            Check(_nccl.GetUniqueId(&id), "ncclGetUniqueId");
            new ReadOnlySpan<byte>(id.Internal, 128).CopyTo(idBytes.bytes);
        }
        mpi.Broadcast(idBytes, 0);
        idBytes.bytes.CopyTo(new Span<byte>(id.Internal, 128));
        IntPtr comm;
        Check(_nccl.CommInitRank(&comm, mpi.WorldSize, id, mpi.Rank), "ncclCommInitRank");
        _comm = comm;
    }

    /// <summary>The CUDA device this rank drives.</summary>
    public Device Device { get; }

    /// <inheritdoc/>
    public int Rank => _mpi.Rank;

    /// <inheritdoc/>
    public int WorldSize => _mpi.WorldSize;

    /// <inheritdoc/>
    public bool IsMain => _mpi.IsMain;

    /// <inheritdoc/>
    public string Backend => "nccl";

    /// <inheritdoc/>
    public void Barrier()
    {
        torch.cuda.synchronize();
        _mpi.Barrier();
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor t, int root = 0)
    {
        if (!UseNccl(t)) { _mpi.Broadcast(t, root); return; }
        OnContiguous(t, c => Check(_nccl.Broadcast(Ptr(c), Ptr(c), (nuint)c.numel(), NcclLibrary.DataType(c.dtype), root, _comm, IntPtr.Zero), "ncclBroadcast"));
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum)
    {
        if (!UseNccl(t)) { _mpi.AllReduce(t, op); return; }
        TensorBuffers.CheckReducible(t, op);
        int ncclOp = op == ReduceOp.Max ? 2 : 0;  // ncclMax, ncclSum (ncclAvg needs NCCL ≥ 2.10: divide instead)
        OnContiguous(t, c => Check(_nccl.AllReduce(Ptr(c), Ptr(c), (nuint)c.numel(), NcclLibrary.DataType(c.dtype), ncclOp, _comm, IntPtr.Zero), "ncclAllReduce"));
        if (op == ReduceOp.Mean) using (torch.no_grad()) t.div_(Scalars.Of(WorldSize));
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor t)
    {
        if (!UseNccl(t)) return _mpi.AllGather(t);
        var shape = t.shape.ToArray();
        shape[0] *= WorldSize;
        var result = torch.empty(shape, dtype: t.dtype, device: t.device);
        using var c = t.detach().contiguous();
        Check(_nccl.AllGather(Ptr(c), Ptr(result), (nuint)c.numel(), NcclLibrary.DataType(c.dtype), _comm, IntPtr.Zero), "ncclAllGather");
        return result;
    }

    /// <inheritdoc/>
    [DoesNotReturn]
    public void Abort(string message, int code = 1)
    {
        if (_comm != IntPtr.Zero) _nccl.CommAbort(_comm);
        _comm = IntPtr.Zero;
        _mpi.Abort(message, code);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_comm != IntPtr.Zero) _nccl.CommDestroy(_comm);
        _comm = IntPtr.Zero;
        _mpi.Dispose();
    }

    private static bool UseNccl(Tensor t) => t.device_type == DeviceType.CUDA && NcclLibrary.DataType(t.dtype) >= 0;

    private static IntPtr Ptr(Tensor t) => TensorBuffers.DataPointer(t);

    private static void OnContiguous(Tensor t, Action<Tensor> op)
    {
        if (t.is_contiguous()) { op(t); return; }
        using var c = t.detach().contiguous();
        op(c);
        using (torch.no_grad()) t.copy_(c);
    }

    private void Check(int rc, string call)
    {
        if (rc != 0) throw new ClipSharpException($"{call} failed on rank {Rank}: {_nccl.Error(rc)}.");
    }
}
