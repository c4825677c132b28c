using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>Writes tensors to a safetensors file atomically (temp file + rename), keys sorted as in the reference writer.</summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (any device; copied to CPU, made contiguous) with optional metadata.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var cpu = new List<Tensor>();
        foreach (var name in names)
        {
            var t = tensors[name].detach().cpu().contiguous();
            cpu.Add(t);
            long n = t.NumberOfElements * t.ElementSize;
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = SafeTensorsHeader.FromScalarType(t.dtype),
                ["shape"] = t.shape,
                ["data_offsets"] = new[] { offset, offset + n },
            };
            offset += n;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - json.Length % 8) % 8; // align the data section to 8 bytes, padding with spaces
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < headerBytes.Length; i++) headerBytes[i] = (byte)' ';
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(BitConverter.GetBytes((long)headerBytes.Length));
            fs.Write(headerBytes);
            foreach (var t in cpu) if (t.NumberOfElements > 0) fs.Write(t.bytes);
            fs.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
        foreach (var t in cpu) t.Dispose();
    }
}
