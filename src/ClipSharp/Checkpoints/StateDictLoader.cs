using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Copies a state dict into a module's parameters and persistent buffers, like PyTorch's load_state_dict: each value
/// is converted to the target's dtype and device and copied in place under no_grad. Strict mode refuses any missing,
/// unexpected or mis-shaped key, listing all of them in one error; a shape mismatch is refused in either mode.
/// </summary>
public static class StateDictLoader
{
    private const int ListLimit = 20;

    /// <summary>Loads <paramref name="stateDict"/> into <paramref name="module"/>; <paramref name="source"/> names it in errors.</summary>
    public static StateDictLoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true, string? source = null)
    {
        var targets = module.state_dict();
        var missing = targets.Where(kv => !stateDict.ContainsKey(kv.Key)).Select(kv => new TensorSpec(kv.Key, kv.Value.dtype, kv.Value.shape)).ToList();
        var unexpected = stateDict.Where(kv => !targets.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new TensorSpec(kv.Key, kv.Value.dtype, kv.Value.shape)).ToList();
        var mismatched = targets.Where(kv => stateDict.TryGetValue(kv.Key, out var v) && !v.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => (kv.Key, kv.Value.shape, stateDict[kv.Key].shape)).ToList();
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new ClipSharpException(Describe(source ?? "state dict", module, missing, unexpected, mismatched, strict));

        var loaded = new List<string>();
        using (no_grad())
        {
            foreach (var (key, target) in targets)
            {
                if (!stateDict.TryGetValue(key, out var value)) continue;
                target.copy_(value); // copy_ converts dtype and moves across devices
                loaded.Add(key);
            }
        }
        return new StateDictLoadReport(loaded, missing, unexpected, mismatched);
    }

    private static string Describe(string source, nn.Module module, List<TensorSpec> missing, List<TensorSpec> unexpected,
        List<(string Key, long[] Model, long[] Checkpoint)> mismatched, bool strict)
    {
        var parts = new List<string>();
        if (strict && missing.Count > 0) parts.Add($"{missing.Count} missing key(s) {List(missing.Select(m => $"{m.Key()} {m.ShapeText}"), missing.Count)}");
        if (strict && unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s) {List(unexpected.Select(u => $"{u.Key()} {u.ShapeText}"), unexpected.Count)}");
        if (mismatched.Count > 0)
            parts.Add($"{mismatched.Count} mis-shaped key(s) {List(mismatched.Select(m => $"{m.Key} (model [{string.Join(", ", m.Model)}], checkpoint [{string.Join(", ", m.Checkpoint)}])"), mismatched.Count)}");
        return $"{source} does not match {module.GetName()}: {string.Join("; ", parts)}.";
    }

    private static string Key(this TensorSpec s) => s.Name;

    private static string List(IEnumerable<string> items, int count)
    {
        var shown = items.Take(ListLimit).ToList();
        return $"[{string.Join(", ", shown)}{(count > shown.Count ? $", ... and {count - shown.Count} more" : "")}]";
    }
}
