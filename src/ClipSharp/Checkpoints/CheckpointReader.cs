using ClipSharp.Core;

namespace ClipSharp.Checkpoints;

/// <summary>Reads any supported checkpoint into a <see cref="StateDict"/>, dispatching on the file's content.</summary>
public static class CheckpointReader
{
    /// <summary>Tells the format from the first bytes of <paramref name="path"/>.</summary>
    public static CheckpointFormat Detect(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: checkpoint file not found.");
        var head = new byte[9];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 && head[3] is 4 or 6) return CheckpointFormat.TorchZip;
        if (n >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return CheckpointFormat.LegacyTorchPickle;
        if (n == 9 && head[8] == (byte)'{' && BitConverter.ToInt64(head) > 1) return CheckpointFormat.SafeTensors;
        return CheckpointFormat.Unknown;
    }

    /// <summary>Reads every tensor of a safetensors or PyTorch zip checkpoint onto the CPU, in its stored dtype.</summary>
    public static StateDict Read(string path) => Detect(path) switch
    {
        CheckpointFormat.SafeTensors => ReadSafeTensors(path),
        CheckpointFormat.TorchZip => ReadTorch(path),
        var f => throw NotA(path, f, "a checkpoint ClipSharp can read (safetensors or PyTorch zip)"),
    };

    /// <summary>Names, dtypes and shapes of every tensor, without reading tensor data.</summary>
    public static (CheckpointFormat Format, IReadOnlyList<TensorSpec> Tensors) Inspect(string path)
    {
        switch (Detect(path))
        {
            case CheckpointFormat.SafeTensors:
                using (var f = SafeTensorsFile.Open(path))
                    return (CheckpointFormat.SafeTensors, f.Entries.Values
                        .Select(e => new TensorSpec(e.Name, SafeTensorsHeader.ToScalarType(e.DType), e.Shape)).ToList());
            case CheckpointFormat.TorchZip:
                using (var c = TorchZipCheckpoint.Open(path))
                    return (CheckpointFormat.TorchZip, c.Entries.Values.ToList());
            case var other:
                throw NotA(path, other, "a checkpoint ClipSharp can read (safetensors or PyTorch zip)");
        }
    }

    private static StateDict ReadSafeTensors(string path)
    {
        using var f = SafeTensorsFile.Open(path);
        return new StateDict(path, CheckpointFormat.SafeTensors, f.ReadAll(), f.Metadata);
    }

    private static StateDict ReadTorch(string path)
    {
        using var c = TorchZipCheckpoint.Open(path);
        var meta = new Dictionary<string, string>();
        if (c.NestedKey != null) meta["nested_key"] = c.NestedKey;
        if (c.StrippedPrefix != null) meta["stripped_prefix"] = c.StrippedPrefix;
        return new StateDict(path, CheckpointFormat.TorchZip, c.ReadAll(), meta);
    }

    internal static ClipSharpException NotA(string path, CheckpointFormat found, string expected) => found switch
    {
        CheckpointFormat.LegacyTorchPickle => new ClipSharpException(
            $"{path}: this is a legacy PyTorch checkpoint (a bare pickle, torch.save before 1.6 or with _use_new_zipfile_serialization=False), which ClipSharp does not read because it cannot be parsed safely; re-save it in Python with torch.save(torch.load(f, weights_only=True), g) or convert it to safetensors."),
        CheckpointFormat.SafeTensors => new ClipSharpException($"{path}: is a safetensors file, not {expected}."),
        CheckpointFormat.TorchZip => new ClipSharpException($"{path}: is a zip archive, not {expected}."),
        _ => new ClipSharpException($"{path}: not {expected} (unrecognised first bytes)."),
    };
}
