using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over every process of a job ("ranks"). Every rank must
/// call the same operations in the same order with tensors of the same shape and dtype; a rank that fails calls
/// <see cref="Abort"/> so that the others do not wait forever. Implementations: <see cref="SingleProcessCollectives"/>
/// (world of one), <see cref="MpiCollectives"/> (Open MPI over P/Invoke), <see cref="NcclCollectives"/> (CUDA tensors).
/// </summary>
public interface ICollectives : IDisposable
{
    /// <summary>This process's index in the job, 0 ≤ Rank &lt; WorldSize.</summary>
    int Rank { get; }

    /// <summary>How many processes take part.</summary>
    int WorldSize { get; }

    /// <summary>True on rank 0, the rank that prints, writes metrics, checkpoints and reports.</summary>
    bool IsMain { get; }

    /// <summary>"single", "mpi" or "nccl".</summary>
    string Backend { get; }

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Overwrites <paramref name="t"/> on every rank with its value on <paramref name="root"/> (in place).</summary>
    void Broadcast(Tensor t, int root = 0);

    /// <summary>Replaces <paramref name="t"/> on every rank by the element-wise reduction over ranks (in place).</summary>
    void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum);

    /// <summary>Concatenates every rank's <paramref name="t"/> along dim 0 in rank order; t has the same shape on every rank.</summary>
    Tensor AllGather(Tensor t);

    /// <summary>Prints <paramref name="message"/> to stderr and brings the whole job down with exit code <paramref name="code"/>.</summary>
    [DoesNotReturn]
    void Abort(string message, int code = 1);
}
