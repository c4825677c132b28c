using ClipSharp.Core;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ClipSharp.Onnx;

/// <summary>
/// One exported graph in an ONNX Runtime session, run through checks that turn bad input into a
/// <see cref="ClipSharpException"/> naming the graph, the input and what was expected (rank, element type, fixed
/// dims, a non-empty batch) before ONNX Runtime sees it. <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/>
/// is thread-safe, so one instance serves concurrent callers.
/// </summary>
public sealed class OnnxGraphSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _file, _input, _output;
    private readonly int[] _dims;
    private readonly TensorElementType _type;

    /// <summary>Opens <paramref name="path"/> and checks it has the named input and output.</summary>
    public OnnxGraphSession(string path, string input, string output, SessionOptions options)
    {
        _file = Path.GetFileName(path);
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: ONNX graph not found.");
        try { _session = new InferenceSession(path, options); }
        catch (OnnxRuntimeException e) { throw new ClipSharpException($"{path}: ONNX Runtime could not load the graph ({e.Message}).", e); }
        if (!_session.InputMetadata.TryGetValue(input, out var meta) || !_session.OutputMetadata.ContainsKey(output))
        {
            var inputs = string.Join(", ", _session.InputMetadata.Keys);
            _session.Dispose();
            throw new ClipSharpException($"{path}: expected input '{input}' and output '{output}'; the graph has inputs {inputs}.");
        }
        (_input, _output, _dims, _type) = (input, output, meta.Dimensions, meta.ElementDataType);
    }

    /// <summary>The input's dims as declared (-1 = dynamic).</summary>
    public IReadOnlyList<int> InputDims => _dims;

    /// <summary>Runs the graph on <paramref name="data"/> laid out as <paramref name="shape"/>; returns the float output rows.</summary>
    public float[][] Run<T>(T[] data, long[] shape) where T : unmanaged
    {
        Check(typeof(T), data.Length, shape);
        var value = NamedOnnxValue.CreateFromTensor(_input, new DenseTensor<T>(data, shape.Select(d => (int)d).ToArray()));
        try
        {
            using var results = _session.Run([value], [_output]);
            var t = results[0].AsTensor<float>();
            int rows = t.Dimensions[0], width = (int)(t.Length / Math.Max(rows, 1));
            var flat = t.ToArray();
            return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * width, width).ToArray()).ToArray();
        }
        catch (OnnxRuntimeException e) { throw new ClipSharpException($"{_file}: ONNX Runtime failed on input '{_input}' [{string.Join(", ", shape)}] ({e.Message}).", e); }
    }

    private void Check(Type element, int length, long[] shape)
    {
        var want = _type switch { TensorElementType.Float => typeof(float), TensorElementType.Int64 => typeof(long), _ => null };
        if (element != want)
            throw new ClipSharpException($"{_file}: input '{_input}' takes {_type} elements, got {element.Name}.");
        if (shape.Length != _dims.Length)
            throw new ClipSharpException($"{_file}: input '{_input}' has rank {_dims.Length} [{Describe(_dims)}], got rank {shape.Length} [{string.Join(", ", shape)}].");
        if (shape[0] < 1) throw new ClipSharpException($"{_file}: input '{_input}' got an empty batch (batch size must be at least 1).");
        for (int i = 1; i < shape.Length; i++)
            if (_dims[i] >= 0 && shape[i] != _dims[i])
                throw new ClipSharpException($"{_file}: input '{_input}' dim {i} must be {_dims[i]} [{Describe(_dims)}], got {shape[i]}.");
        if (shape.Aggregate(1L, (a, b) => a * b) != length)
            throw new ClipSharpException($"{_file}: input '{_input}' has {length} values, shape [{string.Join(", ", shape)}] needs {shape.Aggregate(1L, (a, b) => a * b)}.");
    }

    private static string Describe(int[] dims) => string.Join(", ", dims.Select(d => d < 0 ? "batch" : d.ToString()));

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
