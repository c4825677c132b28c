using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace ClipSharp.Distributed;

/// <summary>A world of one process: every collective is the identity (AllGather returns a copy).</summary>
public sealed class SingleProcessCollectives : ICollectives
{
    /// <inheritdoc/>
    public int Rank => 0;

    /// <inheritdoc/>
    public int WorldSize => 1;

    /// <inheritdoc/>
    public bool IsMain => true;

    /// <inheritdoc/>
    public string Backend => "single";

    /// <inheritdoc/>
    public void Barrier() { }

    /// <inheritdoc/>
    public void Broadcast(Tensor t, int root = 0)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast root {root} is not a rank of a 1-process job.");
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor t, ReduceOp op = ReduceOp.Sum) => TensorBuffers.CheckReducible(t, op);

    /// <inheritdoc/>
    public Tensor AllGather(Tensor t) => t.detach().clone();

    /// <inheritdoc/>
    [DoesNotReturn]
    public void Abort(string message, int code = 1)
    {
        Console.Error.WriteLine($"error: {message}");
        Console.Error.Flush();
        Environment.Exit(code);
        throw new InvalidOperationException("unreachable");
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
