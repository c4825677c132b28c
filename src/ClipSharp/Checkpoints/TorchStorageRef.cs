using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// A storage named by a persistent id `('storage', torch.FloatStorage, '0', 'cpu', numel)`: its bytes are the zip entry
/// `&lt;prefix&gt;/data/&lt;Key&gt;`, <paramref name="Numel"/> elements of <paramref name="DType"/> (bytes for UntypedStorage).
/// </summary>
internal sealed record TorchStorageRef(string Key, ScalarType DType, int ElementSize, long Numel, string Location)
{
    public long ByteLength => checked(Numel * ElementSize);
}
