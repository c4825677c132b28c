using System.Text.Json;
using ClipSharp.Core;
using TorchSharp;

namespace ClipSharp.Checkpoints;

/// <summary>Parses and validates the JSON header of a safetensors file; maps dtype strings to TorchSharp types.</summary>
internal static class SafeTensorsHeader
{
    private static readonly Dictionary<string, (torch.ScalarType Type, int Size)> DTypes = new()
    {
        ["F64"] = (torch.ScalarType.Float64, 8), ["F32"] = (torch.ScalarType.Float32, 4),
        ["F16"] = (torch.ScalarType.Float16, 2), ["BF16"] = (torch.ScalarType.BFloat16, 2),
        ["I64"] = (torch.ScalarType.Int64, 8), ["I32"] = (torch.ScalarType.Int32, 4),
        ["I16"] = (torch.ScalarType.Int16, 2), ["I8"] = (torch.ScalarType.Int8, 1),
        ["U8"] = (torch.ScalarType.Byte, 1), ["BOOL"] = (torch.ScalarType.Bool, 1),
    };

    public static torch.ScalarType ToScalarType(string dtype) => DTypes[dtype].Type;

    public static string FromScalarType(torch.ScalarType type) =>
        DTypes.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new ClipSharpException($"dtype {type} cannot be stored in safetensors.");

    public static int ElementSize(string dtype) => DTypes[dtype].Size;

    public static (Dictionary<string, SafeTensorEntry>, Dictionary<string, string>) Parse(string path, byte[] header, long dataLength)
    {
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new ClipSharpException($"{path}: safetensors header is not valid UTF-8 (first bad byte at offset {8 + FirstInvalidUtf8(header)}).");
        // A JSON escape of a lone surrogate ("\ud800") is valid JSON but no .NET string: reading it throws InvalidOperationException.
        try { return ParseJson(path, header, dataLength); }
        catch (InvalidOperationException e) { throw new ClipSharpException($"{path}: safetensors header cannot be read ({e.Message}).", e); }
    }

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? bytes.Length : read;
    }

    private static (Dictionary<string, SafeTensorEntry>, Dictionary<string, string>) ParseJson(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw new ClipSharpException($"{path}: safetensors header is not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ClipSharpException($"{path}: safetensors header must be a JSON object, not {doc.RootElement.ValueKind}.");
            var entries = new Dictionary<string, SafeTensorEntry>();
            var metadata = new Dictionary<string, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new ClipSharpException($"{path}: header key '__metadata__' must be an object of strings.");
                    foreach (var m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                if (entries.ContainsKey(p.Name)) throw new ClipSharpException($"{path}: tensor '{p.Name}' appears twice in the header.");
                entries[p.Name] = ParseEntry(path, p.Name, p.Value, dataLength);
            }
            CheckNoOverlap(path, entries.Values);
            return (entries, metadata);
        }
    }

    private static SafeTensorEntry ParseEntry(string path, string name, JsonElement v, long dataLength)
    {
        string Fail(string what) => throw new ClipSharpException($"{path}: tensor '{name}': {what}.");
        if (v.ValueKind != JsonValueKind.Object) Fail("entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) Fail("missing dtype");
        var dtype = dt.GetString()!;
        if (!DTypes.ContainsKey(dtype)) Fail($"unsupported dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) Fail("missing shape");
        var shape = new List<long>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0) Fail($"bad shape {sh.GetRawText()}");
            shape.Add(d.GetInt64());
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            Fail("data_offsets must be [begin, end]");
        var begin = off[0].TryGetInt64(out var b) ? b : -1;
        var end = off[1].TryGetInt64(out var e) ? e : -1;
        if (begin < 0 || end < begin || end > dataLength) Fail($"data_offsets [{begin}, {end}] outside the data section of {dataLength} bytes");
        var entry = new SafeTensorEntry(name, dtype, shape.ToArray(), begin, end);
        long expected;
        try { expected = checked(shape.Aggregate(1L, (a, d) => checked(a * d)) * DTypes[dtype].Size); }
        catch (OverflowException) { Fail($"shape [{string.Join(", ", shape)}] overflows a 64-bit byte count"); throw; }
        if (expected != end - begin) Fail($"shape [{string.Join(", ", shape)}] of {dtype} needs {expected} bytes but data_offsets give {end - begin}");
        return entry;
    }

    private static void CheckNoOverlap(string path, IEnumerable<SafeTensorEntry> entries)
    {
        SafeTensorEntry? prev = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (prev != null && e.Begin < prev.End)
                throw new ClipSharpException($"{path}: tensors '{prev.Name}' and '{e.Name}' overlap in the data section.");
            prev = e;
        }
    }
}
