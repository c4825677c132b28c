namespace ClipSharp.Checkpoints;

/// <summary>What <see cref="StateDictLoader.Load"/> did: keys copied, and the keys that did not line up.</summary>
public sealed record StateDictLoadReport(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<TensorSpec> Missing,
    IReadOnlyList<TensorSpec> Unexpected,
    IReadOnlyList<(string Key, long[] Model, long[] Checkpoint)> Mismatched)
{
    /// <summary>True when every model key was loaded and nothing was left over.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;
}
