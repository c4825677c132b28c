using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>A storage to write: a zip entry `data/Key` holding Numel elements of the torch storage class TypeName.</summary>
internal sealed class PyStorage(string key, string typeName, long numel, byte[] data)
{
    public string Key { get; } = key;
    public string TypeName { get; } = typeName;
    public long Numel { get; } = numel;
    public byte[] Data { get; } = data;

    /// <summary>A storage holding the contiguous bytes of <paramref name="t"/>.</summary>
    public static PyStorage Of(Tensor t, string key)
    {
        using var c = t.contiguous();
        var type = t.dtype switch
        {
            ScalarType.Float32 => "FloatStorage", ScalarType.Float16 => "HalfStorage", ScalarType.BFloat16 => "BFloat16Storage",
            ScalarType.Float64 => "DoubleStorage", ScalarType.Int64 => "LongStorage", ScalarType.Int32 => "IntStorage",
            ScalarType.Int16 => "ShortStorage", ScalarType.Int8 => "CharStorage", ScalarType.Byte => "ByteStorage",
            ScalarType.Bool => "BoolStorage", _ => throw new ArgumentException(t.dtype.ToString()),
        };
        return new PyStorage(key, type, t.NumberOfElements, c.NumberOfElements == 0 ? [] : c.bytes.ToArray());
    }
}

/// <summary>`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`.</summary>
internal sealed record PyTensor(PyStorage Storage, long Offset, long[] Size, long[] Stride, bool RequiresGrad = false)
{
    /// <summary>A contiguous tensor owning a fresh storage.</summary>
    public static PyTensor Of(Tensor t, string key)
    {
        var shape = t.shape;
        var stride = new long[shape.Length];
        for (long i = shape.Length - 1, s = 1; i >= 0; s *= shape[i], i--) stride[i] = s;
        return new PyTensor(PyStorage.Of(t, key), 0, shape, stride);
    }
}

/// <summary>`torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict())`: how an nn.Parameter is pickled.</summary>
internal sealed record PyParameter(PyTensor Data, bool RequiresGrad = true);

/// <summary>collections.OrderedDict, optionally with instance state (a state_dict's {"_metadata": ...}).</summary>
internal sealed class PyOrderedDict : List<(object Key, object? Value)>
{
    public object? State { get; init; }
}

/// <summary>A global reference written as GLOBAL 'module\nname\n' (used to build hostile pickles).</summary>
internal sealed record PyGlobal(string Module, string Name);

/// <summary>
/// Writes pickles the way Python's protocol-2 pickler does for what torch.save meets in state dicts (memo numbering,
/// BINPUT after every memoised object, TUPLE1-3, MARK...SETITEMS batches, persistent ids for storages), and zips them
/// in torch's layout (`prefix/data.pkl`, `prefix/byteorder`, `prefix/data/KEY`, `prefix/version`). Test-only.
/// </summary>
internal sealed class TorchSaveWriter
{
    private readonly MemoryStream _out = new();
    private readonly Dictionary<object, int> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<PyGlobal, int> _globals = [];
    private readonly Dictionary<string, int> _strings = [];
    public List<PyStorage> Storages { get; } = [];

    public static byte[] Pickle(object? root, List<PyStorage>? storages = null)
    {
        var w = new TorchSaveWriter();
        w.Op(0x80); w.Op(2);
        w.Save(root);
        w.Op((byte)'.');
        storages?.AddRange(w.Storages);
        return w._out.ToArray();
    }

    /// <summary>Writes a torch.save zip; <paramref name="extra"/> adds or replaces entries (relative to the prefix).</summary>
    public static void SaveZip(string path, object? root, string prefix = "archive", string? byteorder = "little",
        IReadOnlyDictionary<string, byte[]>? extra = null, Func<PyStorage, byte[]>? storageBytes = null)
    {
        var storages = new List<PyStorage>();
        var pkl = Pickle(root, storages);
        var entries = new Dictionary<string, byte[]> { ["data.pkl"] = pkl };
        if (byteorder != null) entries["byteorder"] = Encoding.ASCII.GetBytes(byteorder);
        foreach (var s in storages) entries[$"data/{s.Key}"] = storageBytes?.Invoke(s) ?? s.Data;
        entries["version"] = "3\n"u8.ToArray();
        foreach (var (k, v) in extra ?? new Dictionary<string, byte[]>()) entries[k] = v;
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var s = zip.CreateEntry($"{prefix}/{name}", CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
    }

    private void Op(byte b) => _out.WriteByte(b);
    private void Bytes(ReadOnlySpan<byte> b) => _out.Write(b);

    private void Memoize(object key)
    {
        int n = _memo.Count + _globals.Count + _strings.Count;
        if (key is PyGlobal g) _globals[g] = n; else if (key is string s) _strings[s] = n; else _memo[key] = n;
        if (n < 256) { Op((byte)'q'); Op((byte)n); }
        else { Op((byte)'r'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, n); Bytes(b); }
    }

    private bool Get(int? slot)
    {
        if (slot is not int n) return false;
        if (n < 256) { Op((byte)'h'); Op((byte)n); }
        else { Op((byte)'j'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, n); Bytes(b); }
        return true;
    }

    public void Save(object? o)
    {
        switch (o)
        {
            case null: Op((byte)'N'); break;
            case bool b: Op(b ? (byte)0x88 : (byte)0x89); break;
            case int i: Save((long)i); break;
            case long l: SaveLong(l); break;
            case double d: { Op((byte)'G'); Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteDoubleBigEndian(b, d); Bytes(b); break; }
            case string s:
                if (Get(_strings.TryGetValue(s, out var si) ? si : null)) break;
                var utf8 = Encoding.UTF8.GetBytes(s);
                Op((byte)'X'); Span<byte> len = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(len, utf8.Length); Bytes(len); Bytes(utf8);
                Memoize(s);
                break;
            case PyGlobal g:
                if (Get(_globals.TryGetValue(g, out var gi) ? gi : null)) break;
                Op((byte)'c'); Bytes(Encoding.ASCII.GetBytes($"{g.Module}\n{g.Name}\n"));
                Memoize(g);
                break;
            case object?[] t: SaveTuple(t); break;
            case PyTensor t: SaveTensor(t); break;
            case PyParameter p:
                Save(new PyGlobal("torch._utils", "_rebuild_parameter"));
                SaveTuple([p.Data, p.RequiresGrad, new PyOrderedDict()]);
                Op((byte)'R'); Memoize(p);
                break;
            case PyOrderedDict od:
                if (Get(_memo.TryGetValue(od, out var oi) ? oi : null)) break;
                Save(new PyGlobal("collections", "OrderedDict")); Op((byte)')'); Op((byte)'R');
                Memoize(od);
                SetItems(od);
                if (od.State != null) { Save(od.State); Op((byte)'b'); }
                break;
            case Dictionary<object, object?> d:
                if (Get(_memo.TryGetValue(d, out var di) ? di : null)) break;
                Op((byte)'}'); Memoize(d);
                SetItems(d.Select(kv => (kv.Key, kv.Value)).ToList());
                break;
            case List<object?> list:
                if (Get(_memo.TryGetValue(list, out var li) ? li : null)) break;
                Op((byte)']'); Memoize(list);
                if (list.Count == 1) { Save(list[0]); Op((byte)'a'); }
                else if (list.Count > 1) { Op((byte)'('); foreach (var x in list) Save(x); Op((byte)'e'); }
                break;
            default: throw new ArgumentException($"cannot pickle {o.GetType()}");
        }
    }

    private void SaveLong(long l)
    {
        if (l is >= 0 and < 256) { Op((byte)'K'); Op((byte)l); }
        else if (l is >= 0 and < 65536) { Op((byte)'M'); Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)l); Bytes(b); }
        else if (l is >= int.MinValue and <= int.MaxValue) { Op((byte)'J'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, (int)l); Bytes(b); }
        else
        {
            var bytes = new System.Numerics.BigInteger(l).ToByteArray(); // minimal two's complement, little-endian
            Op(0x8a); Op((byte)bytes.Length); Bytes(bytes);
        }
    }

    private void SaveTuple(object?[] t)
    {
        if (t.Length == 0) { Op((byte)')'); return; }
        if (Get(_memo.TryGetValue(t, out var ti) ? ti : null)) return;
        if (t.Length <= 3) { foreach (var x in t) Save(x); Op((byte)(0x84 + t.Length)); }
        else { Op((byte)'('); foreach (var x in t) Save(x); Op((byte)'t'); }
        Memoize(t);
    }

    private void SetItems(List<(object Key, object? Value)> items)
    {
        for (int start = 0; start < items.Count; start += 1000)
        {
            var batch = items.Skip(start).Take(1000).ToList();
            if (batch.Count == 1) { Save(batch[0].Key); Save(batch[0].Value); Op((byte)'s'); continue; }
            Op((byte)'(');
            foreach (var (k, v) in batch) { Save(k); Save(v); }
            Op((byte)'u');
        }
    }

    private void SaveTensor(PyTensor t)
    {
        if (Get(_memo.TryGetValue(t, out var ti) ? ti : null)) return;
        if (!Storages.Contains(t.Storage)) Storages.Add(t.Storage);
        Save(new PyGlobal("torch._utils", "_rebuild_tensor_v2"));
        var pid = new object?[] { "storage", new PyGlobal("torch", t.Storage.TypeName), t.Storage.Key, "cpu", t.Storage.Numel };
        var args = new object?[] { new PersistentId(pid), t.Offset, t.Size.Cast<object?>().ToArray(), t.Stride.Cast<object?>().ToArray(),
            t.RequiresGrad, new PyOrderedDict() };
        Op((byte)'(');
        foreach (var a in args)
            if (a is PersistentId p) { Save(p.Id); Op((byte)'Q'); } else Save(a);
        Op((byte)'t'); Memoize(args);
        Op((byte)'R'); Memoize(t);
    }

    private sealed record PersistentId(object?[] Id);
}
