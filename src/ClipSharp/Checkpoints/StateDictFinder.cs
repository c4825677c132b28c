using ClipSharp.Core;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Finds the state dict inside an unpickled torch.save object: the object itself when it maps names to tensors, or
/// its "state_dict" (OpenCLIP training checkpoints) / "model" entry. A key prefix shared by every key ("module." from
/// DistributedDataParallel, "_orig_mod." from torch.compile) is stripped.
/// </summary>
internal static class StateDictFinder
{
    private static readonly string[] NestedKeys = ["state_dict", "model"];
    private static readonly string[] Prefixes = ["module.", "_orig_mod."];

    public static (Dictionary<string, TorchTensorRef> Refs, string? NestedKey, string? StrippedPrefix) Find(string path, object? root)
    {
        if (root is not OrderedDictionary<object, object?> top)
            throw new ClipSharpException($"{path}: the checkpoint holds {TorchPickleGlobals.Describe(root)}, not a dict of tensors.");
        string? nested = null;
        var sd = top;
        if (!IsStateDict(top))
        {
            nested = NestedKeys.FirstOrDefault(k => top.TryGetValue(k, out var v) && v is OrderedDictionary<object, object?> d && IsStateDict(d));
            if (nested == null)
            {
                var keys = string.Join(", ", top.Keys.Take(10).Select(k => $"'{k}'"));
                var bad = top.FirstOrDefault(kv => kv.Value is not TorchTensorRef);
                throw new ClipSharpException(top.Keys.All(k => k is string) && top.Count > 0 && top.Values.Any(v => v is TorchTensorRef)
                    ? $"{path}: state dict entry '{bad.Key}' is {TorchPickleGlobals.Describe(bad.Value)}, not a tensor."
                    : $"{path}: no state dict found: top-level keys are [{keys}], expected tensors or a 'state_dict' entry.");
            }
            sd = (OrderedDictionary<object, object?>)top[nested]!;
        }
        var refs = sd.ToDictionary(kv => (string)kv.Key, kv => (TorchTensorRef)kv.Value!);
        string? stripped = null;
        foreach (var p in Prefixes)
            if (refs.Count > 0 && refs.Keys.All(k => k.StartsWith(p, StringComparison.Ordinal)))
            {
                refs = refs.ToDictionary(kv => kv.Key[p.Length..], kv => kv.Value);
                stripped = (stripped ?? "") + p;
            }
        return (refs, nested, stripped);
    }

    private static bool IsStateDict(OrderedDictionary<object, object?> d) =>
        d.Count > 0 && d.All(kv => kv.Key is string && kv.Value is TorchTensorRef);
}
