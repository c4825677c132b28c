using ClipSharp.Core;
using ClipSharp.Export.Proto;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Export;

/// <summary>
/// One ONNX graph under construction: typed inputs and outputs, weights as initializers (named by their OpenCLIP
/// state-dict key), small constants, and nodes whose outputs get unique names. The opset decides the few operators
/// whose signature changed across the opsets ClipSharp writes (17-21): reductions take their axes as an attribute
/// before opset 18 and as an input from it on; Gelu is an operator from opset 20 on and is spelled out before.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    public OnnxGraph(string name, int opset, ExportPrecision precision)
    {
        _graph = new GraphProto { Name = name };
        Opset = opset;
        Precision = precision;
    }

    /// <summary>The ONNX opset the nodes are written for.</summary>
    public int Opset { get; }

    /// <summary>The dtype matrices and embeddings are stored in (norms, biases and constants stay fp32).</summary>
    public ExportPrecision Precision { get; }

    /// <summary>The graph written so far.</summary>
    public GraphProto Proto => _graph;

    /// <summary>Declares a graph input; a string dim is symbolic (dynamic), a long dim fixed.</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        _names.Add(name);
        return name;
    }

    /// <summary>Declares <paramref name="value"/> as the graph output <paramref name="name"/> (through an Identity).</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Node("Identity", [value], [name]);
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>
    /// A weight as an initializer named by its state-dict key, read as fp32. <paramref name="matrix"/> marks the large
    /// tensors (matrices, embeddings, the patch kernel) that a reduced-precision export stores in fp16/bf16 and casts
    /// back to fp32 in the graph; everything else stays fp32.
    /// </summary>
    public string Weight(string key, Tensor value, bool matrix)
    {
        using var scope = torch.NewDisposeScope();
        var t = value.detach().cpu().to(ScalarType.Float32).contiguous();
        var stored = matrix ? Precision.StorageType() : ScalarType.Float32;
        var name = Unique(key);
        _graph.Initializer.Add(Tensor(name, t.to(stored).contiguous()));
        return stored == ScalarType.Float32 ? name : Node("Cast", [name], attrs: [Attr.Int("to", (long)TensorProto.Types.DataType.Float)]);
    }

    /// <summary>A float32 constant (an initializer) of the given shape.</summary>
    public string Const(string hint, float[] values, params long[] dims)
    {
        using var t = torch.tensor(values, dims.Length == 0 ? [values.Length] : dims);
        var name = Unique(hint);
        _graph.Initializer.Add(Tensor(name, t));
        return name;
    }

    /// <summary>An int64 constant (shapes, axes, indices).</summary>
    public string Ints(string hint, params long[] values) => IntsShaped(hint, values, [values.Length]);

    /// <summary>An int64 scalar constant (rank 0).</summary>
    public string IntScalar(string hint, long value) => IntsShaped(hint, [value], []);

    private string IntsShaped(string hint, long[] values, long[] dims)
    {
        var name = Unique(hint);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>Adds a node with one output, named after the operator unless given.</summary>
    public string Node(string op, string[] inputs, string[]? outputs = null, params AttributeProto[] attrs) =>
        Nodes(op, inputs, outputs ?? [Unique(op)], attrs)[0];

    /// <summary>Adds a node with several outputs.</summary>
    public string[] Nodes(string op, string[] inputs, string[] outputs, params AttributeProto[] attrs)
    {
        var node = new NodeProto { OpType = op, Name = Unique("n_" + op) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attrs);
        foreach (var o in outputs) _names.Add(o);
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>A fresh value name derived from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        var name = hint;
        while (!_names.Add(name)) name = $"{hint}_{++_next}";
        return name;
    }

    /// <summary>Mean over <paramref name="axes"/> (dropped from the shape unless <paramref name="keepDims"/>).</summary>
    public string ReduceMean(string x, long[] axes, bool keepDims) => Reduce("ReduceMean", x, axes, keepDims);

    /// <summary>L2 norm over <paramref name="axes"/>.</summary>
    public string ReduceL2(string x, long[] axes, bool keepDims) => Reduce("ReduceL2", x, axes, keepDims);

    private string Reduce(string op, string x, long[] axes, bool keepDims)
    {
        var keep = Attr.Int("keepdims", keepDims ? 1 : 0);
        return Opset >= 18 ? Node(op, [x, Ints("axes", axes)], null, keep) : Node(op, [x], null, Attr.Ints("axes", axes), keep);
    }

    /// <summary>Adds size-1 axes (opset 13+: axes as an input).</summary>
    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Ints("axes", axes)]);

    /// <summary>Reshape to a constant shape (0 copies the input's dim, -1 infers one).</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Ints("shape", shape)]);

    /// <summary>Transposes by <paramref name="perm"/>.</summary>
    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], null, Attr.Ints("perm", perm));

    /// <summary>Elements [start, end) of <paramref name="axis"/>.</summary>
    public string Slice(string x, long axis, long start, long end) =>
        Node("Slice", [x, Ints("starts", start), Ints("ends", end), Ints("axes", axis)]);

    /// <summary>The sub-tensor at <paramref name="index"/> of <paramref name="axis"/>, that axis dropped.</summary>
    public string Select(string x, long axis, long index) => Node("Gather", [x, IntScalar("index", index)], null, Attr.Int("axis", axis));

    /// <summary>Writes the graph as a model file for opset <see cref="Opset"/>.</summary>
    public void Save(string path, string producerVersion, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersionFor(Opset), ProducerName = "ClipSharp", ProducerVersion = producerVersion, Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (k, v) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        using var file = File.Create(path);
        model.WriteTo(file);
    }

    // The IR version that introduced each opset range (ONNX's versioning table).
    internal static long IrVersionFor(int opset) => opset switch
    {
        <= 17 => 8,
        <= 20 => 9,
        _ => 10,
    };

    private static TensorProto Tensor(string name, Tensor t)
    {
        var proto = new TensorProto { Name = name, DataType = (int)DataTypeOf(t.dtype) };
        proto.Dims.AddRange(t.shape);
        if (t.NumberOfElements > 0) proto.RawData = ByteString.CopyFrom(t.bytes);
        return proto;
    }

    internal static TensorProto.Types.DataType DataTypeOf(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => TensorProto.Types.DataType.Float,
        ScalarType.Float16 => TensorProto.Types.DataType.Float16,
        ScalarType.BFloat16 => TensorProto.Types.DataType.Bfloat16,
        ScalarType.Int64 => TensorProto.Types.DataType.Int64,
        _ => throw new ClipSharpException($"ONNX export: tensors of dtype {dtype} are not written."),
    };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}

/// <summary>Node attribute constructors.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long v) => new() { Name = name, I = v, Type = AttributeProto.Types.AttributeType.Int };

    public static AttributeProto Float(string name, float v) => new() { Name = name, F = v, Type = AttributeProto.Types.AttributeType.Float };

    public static AttributeProto String(string name, string v) =>
        new() { Name = name, S = ByteString.CopyFromUtf8(v), Type = AttributeProto.Types.AttributeType.String };

    public static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }
}
