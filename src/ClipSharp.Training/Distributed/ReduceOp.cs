namespace ClipSharp.Distributed;

/// <summary>How <see cref="ICollectives.AllReduce"/> combines the ranks' tensors element-wise.</summary>
public enum ReduceOp
{
    /// <summary>Σ over ranks.</summary>
    Sum,
    /// <summary>Σ over ranks / world size (floating-point tensors only).</summary>
    Mean,
    /// <summary>max over ranks.</summary>
    Max,
}
