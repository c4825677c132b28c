using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>A checkpoint tensor's name, dtype and shape, known without reading its data.</summary>
public sealed record TensorSpec(string Name, ScalarType DType, long[] Shape)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as "[a, b]".</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
