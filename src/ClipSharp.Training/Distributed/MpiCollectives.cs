using System.Diagnostics.CodeAnalysis;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// Collectives over MPI_COMM_WORLD of Open MPI (see <see cref="MpiLibrary"/> for the ABI). CPU tensors are passed to
/// MPI by address (staged through a contiguous copy when they are not contiguous); CUDA tensors are staged through
/// host memory (correct but slow — use <see cref="NcclCollectives"/> for GPUs). MPI is initialised with
/// MPI_THREAD_SERIALIZED (autograd may run a backward on another thread) and errors return codes, which become
/// <see cref="ClipSharpException"/>s; an unhandled exception on any rank calls MPI_Abort so no rank waits forever.
/// </summary>
public sealed unsafe class MpiCollectives : ICollectives
{
    private static int _instances;
    private readonly MpiLibrary _mpi;
    private readonly bool _ownsInit;
    private bool _disposed;

    /// <summary>Initialises MPI (unless the host already did) and checks the world against the launcher's.</summary>
    public MpiCollectives(LaunchEnvironment? launch = null)
    {
        if (Interlocked.Increment(ref _instances) > 1)
        {
            Interlocked.Decrement(ref _instances);
            throw new ClipSharpException("An MPI communicator is already open in this process; create one ICollectives per process and share it.");
        }
        _mpi = MpiLibrary.Instance;
        int flag = 0, provided = 0, rank = 0, size = 0;
        _mpi.Check(_mpi.Finalized(&flag), "MPI_Finalized", -1);
        if (flag != 0) throw new ClipSharpException("MPI was already finalised in this process and cannot be initialised again.");
        _mpi.Check(_mpi.Initialized(&flag), "MPI_Initialized", -1);
        if (flag == 0)
        {
            _mpi.Check(_mpi.InitThread(null, IntPtr.Zero, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread", -1);
            _ownsInit = true;
        }
        _mpi.Check(_mpi.CommSetErrhandler(_mpi.CommWorld, _mpi.ErrorsReturn), "MPI_Comm_set_errhandler", -1);
        _mpi.Check(_mpi.CommRank(_mpi.CommWorld, &rank), "MPI_Comm_rank", -1);
        _mpi.Check(_mpi.CommSize(_mpi.CommWorld, &size), "MPI_Comm_size", rank);
        (Rank, WorldSize) = (rank, size);
        launch ??= LaunchEnvironment.Current();
        if (launch.IsLaunched && launch.WorldSize != size)
            throw new ClipSharpException($"{launch.Launcher} started {launch.WorldSize} processes but {_mpi.Path} sees a world of {size}: the launcher and the MPI library come from different MPI installations.");
        AppDomain.CurrentDomain.UnhandledException += OnUnhandled;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <inheritdoc/>
    public bool IsMain => Rank == 0;

    /// <inheritdoc/>
    public string Backend => "mpi";

    /// <summary>The MPI library's version line and file.</summary>
    public string LibraryDescription => $"{_mpi.Version()} ({_mpi.Path})";

    /// <inheritdoc/>
    public void Barrier() => _mpi.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier", Rank);

    /// <inheritdoc/>
    public void Broadcast(Tensor t, int root = 0)
    {
        CheckRoot(root);
        TensorBuffers.WithHostBuffer(t, writeBack: Rank != root, h =>
        {
            var p = TensorBuffers.DataPointer(h);
            foreach (var (off, n) in TensorBuffers.Chunks(TensorBuffers.ByteCount(h)))
                _mpi.Check(_mpi.Bcast(p + (nint)off, n, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast", Rank);
            GC.KeepAlive(h);
        });
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum)
    {
        TensorBuffers.CheckReducible(t, op);
        var type = _mpi.ReduceType(t.dtype);
        if (type == IntPtr.Zero)
        {
            // no MPI type for this dtype: reduce an exact float64 copy (float16, bfloat16, int16)
            using var wide = t.detach().to(ScalarType.Float64);
            AllReduce(wide, op);
            using (torch.no_grad()) t.copy_(wide);
            return;
        }
        var mpiOp = op == ReduceOp.Max ? _mpi.OpMax : _mpi.OpSum;
        TensorBuffers.WithHostBuffer(t, writeBack: true, h =>
        {
            var p = TensorBuffers.DataPointer(h);
            var elem = h.element_size();
            foreach (var (off, n) in TensorBuffers.Chunks(h.numel()))
                _mpi.Check(_mpi.Allreduce(MpiLibrary.InPlace, p + (nint)(off * elem), n, type, mpiOp, _mpi.CommWorld), "MPI_Allreduce", Rank);
            GC.KeepAlive(h);
        });
        if (op == ReduceOp.Mean)
            using (torch.no_grad()) t.div_(Scalars.Of(WorldSize));
    }

    /// <inheritdoc/>
    public Tensor AllGather(Tensor t)
    {
        if (t.dim() == 0) throw new ClipSharpException("AllGather needs a tensor with at least one dimension (it concatenates along dim 0).");
        CheckSameShape(t);
        var shape = t.shape.ToArray();
        shape[0] *= WorldSize;
        var result = torch.empty(shape, dtype: t.dtype, device: CPU);
        TensorBuffers.WithHostBuffer(t, writeBack: false, h =>
        {
            var bytes = TensorBuffers.ByteCount(h);
            if (bytes > int.MaxValue)
                throw new ClipSharpException($"AllGather of {bytes} bytes per rank exceeds MPI's 2 GiB count limit; gather in pieces.");
            _mpi.Check(_mpi.Allgather(TensorBuffers.DataPointer(h), (int)bytes, _mpi.Byte,
                TensorBuffers.DataPointer(result), (int)bytes, _mpi.Byte, _mpi.CommWorld), "MPI_Allgather", Rank);
            GC.KeepAlive(h);
        });
        if (t.device_type == DeviceType.CPU) return result;
        using (result) return result.to(t.device);
    }

    /// <inheritdoc/>
    [DoesNotReturn]
    public void Abort(string message, int code = 1)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"error: rank {Rank}/{WorldSize}: {message}");
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, code == 0 ? 1 : code);
        Environment.Exit(code == 0 ? 1 : code);  // MPI_Abort does not return; this is the fallback
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Finalises MPI when this object initialised it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandled;
        int fin = 0;
        if (_ownsInit && _mpi.Finalized(&fin) == 0 && fin == 0) _mpi.Finalize();
        Interlocked.Decrement(ref _instances);
    }

    private void OnUnhandled(object? sender, UnhandledExceptionEventArgs e) =>
        Abort($"unhandled {e.ExceptionObject.GetType().Name}: {(e.ExceptionObject as Exception)?.Message}");

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize) throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast root {root} is not a rank of this {WorldSize}-process job.");
    }

    // MPI_Allgather with unequal counts is undefined behaviour; one 2-integer all-reduce turns it into a clear error.
    private void CheckSameShape(Tensor t)
    {
        if (WorldSize == 1) return;
        long sig = t.shape.Aggregate(17L, (a, d) => unchecked(a * 1_000_003 + d)) ^ (long)t.dtype;
        var probe = stackalloc long[] { sig, -sig };
        _mpi.Check(_mpi.Allreduce(MpiLibrary.InPlace, (IntPtr)probe, 2, _mpi.Int64, _mpi.OpMax, _mpi.CommWorld), "MPI_Allreduce", Rank);
        if (probe[0] != -probe[1])
            throw new ClipSharpException($"AllGather needs the same shape and dtype on every rank; rank {Rank} has [{string.Join(", ", t.shape)}] {t.dtype} and another rank differs.");
    }
}
