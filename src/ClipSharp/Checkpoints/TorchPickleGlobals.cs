using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// The only Python names a torch state-dict pickle may reference, and what "calling" each means here. Nothing is
/// executed: OrderedDict becomes an ordered dictionary, `_rebuild_tensor_v2/v3` and `_rebuild_parameter*` become
/// <see cref="TorchTensorRef"/> descriptions, storage classes and dtypes are plain values. Any other name is refused.
/// </summary>
internal static class TorchPickleGlobals
{
    // torch.<X>Storage class → (element dtype, bytes per element). UntypedStorage counts bytes.
    private static readonly Dictionary<string, (ScalarType Type, int Size)> StorageTypes = new()
    {
        ["FloatStorage"] = (ScalarType.Float32, 4), ["DoubleStorage"] = (ScalarType.Float64, 8),
        ["HalfStorage"] = (ScalarType.Float16, 2), ["BFloat16Storage"] = (ScalarType.BFloat16, 2),
        ["LongStorage"] = (ScalarType.Int64, 8), ["IntStorage"] = (ScalarType.Int32, 4),
        ["ShortStorage"] = (ScalarType.Int16, 2), ["CharStorage"] = (ScalarType.Int8, 1),
        ["ByteStorage"] = (ScalarType.Byte, 1), ["BoolStorage"] = (ScalarType.Bool, 1),
        ["UntypedStorage"] = (ScalarType.Byte, 1),
    };

    // torch.<dtype> globals (pickled torch.dtype objects, and the dtype argument of _rebuild_tensor_v3).
    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["float32"] = ScalarType.Float32, ["float"] = ScalarType.Float32, ["float64"] = ScalarType.Float64,
        ["double"] = ScalarType.Float64, ["float16"] = ScalarType.Float16, ["half"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16, ["int64"] = ScalarType.Int64, ["long"] = ScalarType.Int64,
        ["int32"] = ScalarType.Int32, ["int"] = ScalarType.Int32, ["int16"] = ScalarType.Int16,
        ["short"] = ScalarType.Int16, ["int8"] = ScalarType.Int8, ["uint8"] = ScalarType.Byte, ["bool"] = ScalarType.Bool,
    };

    private static readonly HashSet<string> Callables =
    [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch.Size",
    ];

    public static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Resolves GLOBAL module/name to a value, or null when the name is not on the whitelist.</summary>
    public static object? Resolve(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        if (Callables.Contains(g.ToString())) return g;
        if (module == "torch" && DTypes.TryGetValue(name, out var dt)) return dt;
        if ((module == "torch" || (module == "torch.storage" && name == "UntypedStorage")) && StorageTypes.ContainsKey(name)) return g;
        return null;
    }

    /// <summary>The (dtype, element size) of a storage class global, or null when the value is not one.</summary>
    public static (ScalarType Type, int Size)? StorageType(object? value) =>
        value is PickleGlobal g && StorageTypes.TryGetValue(g.Name, out var st) && (g.Module == "torch" || g.Module == "torch.storage")
            ? st : null;

    /// <summary>REDUCE: applies a whitelisted callable to its argument tuple. <paramref name="where"/> prefixes errors.</summary>
    public static object Reduce(object? callable, object?[] args, string where)
    {
        if (callable is not PickleGlobal g || !Callables.Contains(g.ToString()))
            throw new ClipSharpException($"{where}: refusing REDUCE on {Describe(callable)}, which is not a callable torch uses for state dicts.");
        switch (g.ToString())
        {
            case "collections.OrderedDict":
                var d = new OrderedDictionary<object, object?>();
                if (args.Length == 1 && args[0] is List<object?> pairs)
                    foreach (var p in pairs)
                        if (p is object?[] { Length: 2 } kv && kv[0] is { } k) d[k] = kv[1];
                        else throw new ClipSharpException($"{where}: OrderedDict argument is not a list of (key, value) pairs.");
                else if (args.Length != 0) throw new ClipSharpException($"{where}: OrderedDict called with unexpected arguments.");
                return d;
            case "torch.Size":
                return args.Length == 1 && args[0] is object?[] dims ? dims : throw new ClipSharpException($"{where}: torch.Size expects one tuple.");
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return args.Length >= 3 && args[0] is TorchTensorRef data ? data
                    : throw new ClipSharpException($"{where}: {g} expects a tensor as its first argument.");
            case "torch._utils._rebuild_tensor_v2":
                if (args.Length is < 6 or > 7 || args[0] is not TorchStorageRef s2)
                    throw new ClipSharpException($"{where}: {g} expects (storage, offset, size, stride, requires_grad, hooks[, metadata]).");
                return Tensor(s2, s2.DType, args, where);
            case "torch._utils._rebuild_tensor_v3":
                if (args.Length is < 7 or > 8 || args[0] is not TorchStorageRef s3 || args[6] is not ScalarType dt3)
                    throw new ClipSharpException($"{where}: {g} expects (storage, offset, size, stride, requires_grad, hooks, dtype[, metadata]).");
                return Tensor(s3, dt3, args, where);
            default:
                throw new ClipSharpException($"{where}: refusing to call {g}.");
        }
    }

    // A view of the storage; every index it can reach must lie inside the storage (as_strided does not check).
    private static TorchTensorRef Tensor(TorchStorageRef storage, ScalarType dtype, object?[] args, string where)
    {
        long offset = args[1] is long o ? o : -1;
        var shape = Longs(args[2]);
        var stride = Longs(args[3]);
        if (offset < 0 || shape == null || stride == null || shape.Length != stride.Length || shape.Any(x => x < 0) || stride.Any(x => x < 0))
            throw new ClipSharpException($"{where}: tensor of storage '{storage.Key}' has an invalid offset/size/stride.");
        long es = ElementSize(dtype);
        if (storage.ByteLength % es != 0)
            throw new ClipSharpException($"{where}: storage '{storage.Key}' of {storage.ByteLength} bytes cannot hold {dtype} elements.");
        long capacity = storage.ByteLength / es;
        try
        {
            if (shape.All(x => x > 0))
            {
                long last = offset;
                for (int i = 0; i < shape.Length; i++) last = checked(last + (shape[i] - 1) * stride[i]);
                if (last >= capacity)
                    throw new ClipSharpException($"{where}: tensor [{string.Join(", ", shape)}] at offset {offset} reaches element {last} but storage '{storage.Key}' has {capacity}.");
            }
            // A view may repeat elements (stride 0) but a state dict never needs many more than its storage holds;
            // refusing that keeps a crafted file from asking for terabytes.
            long numel = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (numel > Math.Max(capacity, 1L << 28))
                throw new ClipSharpException($"{where}: tensor [{string.Join(", ", shape)}] has {numel} elements but storage '{storage.Key}' holds only {capacity}.");
        }
        catch (OverflowException)
        {
            throw new ClipSharpException($"{where}: tensor of storage '{storage.Key}' has a size/stride that overflows.");
        }
        return new TorchTensorRef(storage, dtype, offset, shape, stride);
    }

    private static long[]? Longs(object? v) =>
        v is object?[] items && items.All(x => x is long) ? items.Select(x => (long)x!).ToArray() : null;

    public static string Describe(object? v) => v switch
    {
        null => "None",
        PickleGlobal g => $"'{g}'",
        string s => $"the string '{s}'",
        _ => $"a {v.GetType().Name}",
    };
}
