using System.Collections;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Named tensors read from a checkpoint (CPU, stored dtypes), with where they came from. Disposing it disposes the
/// tensors; take what you keep with <see cref="Detach"/> or copy it (e.g. through <see cref="StateDictLoader"/>).
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    /// <summary>The file it was read from.</summary>
    public string Source { get; }

    /// <summary>The file's format.</summary>
    public CheckpointFormat Format { get; }

    /// <summary>safetensors `__metadata__`, or notes on how a PyTorch state dict was found (nested_key, stripped_prefix).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Wraps <paramref name="tensors"/> (taken over: disposed with this object).</summary>
    public StateDict(string source, CheckpointFormat format, Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Source = source; Format = format; _tensors = tensors;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    /// <summary>Sum of the element counts of every tensor.</summary>
    public long NumElements => _tensors.Values.Sum(t => t.NumberOfElements);

    /// <summary>Hands the tensors to the caller; this object then owns none.</summary>
    public Dictionary<string, Tensor> Detach()
    {
        var copy = new Dictionary<string, Tensor>(_tensors);
        _tensors.Clear();
        return copy;
    }

    /// <inheritdoc />
    public Tensor this[string key] => _tensors[key];
    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;
    /// <inheritdoc />
    public IEnumerable<Tensor> Values => _tensors.Values;
    /// <inheritdoc />
    public int Count => _tensors.Count;
    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);
    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);
    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor it holds.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
