using System.IO.MemoryMappedFiles;
using System.Text.Json;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>One tensor entry of a safetensors header: dtype, shape and byte range inside the data section.</summary>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// A safetensors file (8-byte little-endian header length, JSON header, raw little-endian data), memory-mapped.
/// The header is validated on open: length within the file, valid JSON, known dtypes, non-negative shapes, byte
/// ranges inside the data section, matching element counts and no overlaps. Every error names the file and the key.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly long _dataStart;

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>Tensor entries in header order.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    /// <summary>The optional `__metadata__` string map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafeTensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long dataStart,
        Dictionary<string, SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path; _map = map; _view = view; _dataStart = dataStart; Entries = entries; Metadata = metadata;
    }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: safetensors file not found.");
        long fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new ClipSharpException($"{path}: not a safetensors file (only {fileLength} bytes, the 8-byte header length is missing).");
        byte[] headerBytes;
        long headerLength;
        using (var fs = File.OpenRead(path))
        {
            var lenBytes = new byte[8];
            fs.ReadExactly(lenBytes);
            headerLength = BitConverter.ToInt64(lenBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
                throw new ClipSharpException($"{path}: corrupt safetensors header length {headerLength} (file has {fileLength} bytes).");
            headerBytes = new byte[headerLength];
            fs.ReadExactly(headerBytes);
        }
        long dataStart = 8 + headerLength, dataLength = fileLength - dataStart;
        var (entries, metadata) = SafeTensorsHeader.Parse(path, headerBytes, dataLength);
        if (dataLength == 0) return new SafeTensorsFile(path, null, null, dataStart, entries, metadata);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
        return new SafeTensorsFile(path, map, view, dataStart, entries, metadata);
    }

    /// <summary>
    /// Reads one tensor onto the CPU in its stored dtype (a copy; the file stays mapped). Neither the file nor a single
    /// tensor is limited to 2 GB: the whole file is one 64-bit view and tensors are copied in chunks.
    /// </summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var e)) throw new ClipSharpException($"{Path}: no tensor named '{name}'.");
        var t = empty(e.Shape, SafeTensorsHeader.ToScalarType(e.DType));
        long n = e.End - e.Begin;
        if (n == 0) return t;
        unsafe
        {
            byte* basePtr = null;
            _view!.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
            try
            {
                TensorBytes.Fill(t, (nint)(basePtr + _view.PointerOffset + _dataStart + e.Begin));
            }
            finally { _view.SafeMemoryMappedViewHandle.ReleasePointer(); }
        }
        return t;
    }

    /// <summary>Reads every tensor (CPU, stored dtypes).</summary>
    public Dictionary<string, Tensor> ReadAll() => Entries.Keys.ToDictionary(k => k, Read);

    /// <summary>Reads every tensor of a file and closes it.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var f = Open(path);
        return f.ReadAll();
    }

    /// <summary>Releases the mapped file.</summary>
    public void Dispose()
    {
        _view?.Dispose();
        _map?.Dispose();
    }
}
