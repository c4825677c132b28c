using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// A tensor described by `_rebuild_tensor_v2/v3`: a view (offset, size, stride, all in elements of <paramref name="DType"/>)
/// of a storage. Nothing is read until the checkpoint materialises it; the bounds are checked when it is created.
/// </summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, ScalarType DType, long Offset, long[] Shape, long[] Stride)
{
    public long NumElements => Shape.Aggregate(1L, (a, b) => checked(a * b));
}
