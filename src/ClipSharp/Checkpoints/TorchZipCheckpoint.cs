using System.IO.Compression;
using System.Text;
using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// A PyTorch zip checkpoint (torch.save ≥ 1.6: `&lt;prefix&gt;/data.pkl`, `&lt;prefix&gt;/data/&lt;key&gt;` storages,
/// `&lt;prefix&gt;/version`, optional `&lt;prefix&gt;/byteorder`), e.g. OpenCLIP's `open_clip_pytorch_model.bin`.
/// The pickle is parsed by a restricted reader that never executes anything; only the state dict's tensor
/// descriptions are kept (a training checkpoint's "state_dict" entry, with a "module." prefix stripped), and their
/// bytes are read on demand.
/// </summary>
public sealed class TorchZipCheckpoint : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly bool _bigEndian;
    private readonly Dictionary<string, TorchTensorRef> _refs;

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>The state dict's tensors (names after prefix stripping), in pickle order.</summary>
    public IReadOnlyDictionary<string, TensorSpec> Entries { get; }

    /// <summary>Where the state dict was found: null for a bare state dict, else the top-level key ("state_dict").</summary>
    public string? NestedKey { get; }

    /// <summary>The prefix removed from every key ("module." from DistributedDataParallel), or null.</summary>
    public string? StrippedPrefix { get; }

    private TorchZipCheckpoint(string path, ZipArchive zip, string prefix, bool bigEndian, Dictionary<string, TorchTensorRef> refs,
        string? nestedKey, string? strippedPrefix)
    {
        Path = path; _zip = zip; _prefix = prefix; _bigEndian = bigEndian; _refs = refs;
        NestedKey = nestedKey; StrippedPrefix = strippedPrefix;
        Entries = refs.ToDictionary(kv => kv.Key, kv => new TensorSpec(kv.Key, kv.Value.DType, kv.Value.Shape));
    }

    /// <summary>Opens <paramref name="path"/> and parses its pickle; no tensor data is read yet.</summary>
    public static TorchZipCheckpoint Open(string path)
    {
        var format = CheckpointReader.Detect(path);
        if (format != CheckpointFormat.TorchZip) throw CheckpointReader.NotA(path, format, "a PyTorch zip checkpoint");
        var fs = File.OpenRead(path);
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e) { fs.Dispose(); throw new ClipSharpException($"{path}: not a readable zip archive ({e.Message}).", e); }
        try { return Parse(path, zip); }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            // the directory is read lazily (on Entries) and an entry's sizes are only checked when it is read
            zip.Dispose();
            throw new ClipSharpException($"{path}: damaged zip archive ({e.Message}).", e);
        }
        catch { zip.Dispose(); throw; }
    }

    private static TorchZipCheckpoint Parse(string path, ZipArchive zip)
    {
        var names = zip.Entries.Select(e => e.FullName).ToList();
        var pkl = names.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.Count(c => c == '/') == 1).ToList();
        string? prefixGuess = pkl.Count > 0 ? pkl[0][..pkl[0].IndexOf('/')] : names.FirstOrDefault(n => n.Contains('/'))?.Split('/')[0];
        if (prefixGuess != null && (names.Contains($"{prefixGuess}/constants.pkl") || names.Any(n => n.StartsWith($"{prefixGuess}/code/", StringComparison.Ordinal))))
            throw new ClipSharpException($"{path}: this is a TorchScript archive (torch.jit.save), not a torch.save state dict; in Python, load it with torch.jit.load and save model.state_dict() with torch.save (or safetensors).");
        if (pkl.Count != 1)
            throw new ClipSharpException($"{path}: zip archive without exactly one '<prefix>/data.pkl' ({pkl.Count} found), so it is not a torch.save checkpoint.");
        string prefix = prefixGuess!;
        long fileLength = new FileInfo(path).Length;
        string byteorder = ReadText(zip, $"{prefix}/byteorder")?.Trim() ?? "little";
        if (byteorder is not ("little" or "big")) throw new ClipSharpException($"{path}: unknown byteorder '{byteorder}'.");

        var storages = new Dictionary<string, TorchStorageRef>();
        object PersistentLoad(object?[] pid, string where)
        {
            if (pid is not ["storage", var type, string key, string location, long numel] || TorchPickleGlobals.StorageType(type) is not { } st)
                throw new ClipSharpException($"{where}: persistent id is not ('storage', <torch storage class>, key, location, numel).");
            if (numel < 0) throw new ClipSharpException($"{where}: storage '{key}' has negative size {numel}.");
            var entry = zip.GetEntry($"{prefix}/data/{key}")
                ?? throw new ClipSharpException($"{path}: storage '{key}' is referenced by the pickle but '{prefix}/data/{key}' is missing.");
            var s = new TorchStorageRef(key, st.Type, st.Size, numel, location);
            long need;
            try { need = s.ByteLength; }
            catch (OverflowException) { throw new ClipSharpException($"{where}: storage '{key}' size {numel} overflows."); }
            if (entry.Length < need || !Plausible(entry, fileLength))
                throw new ClipSharpException($"{path}: storage '{key}' needs {need} bytes but '{entry.FullName}' has {entry.Length} (truncated file?).");
            if (storages.TryGetValue(key, out var prev) && prev != s)
                throw new ClipSharpException($"{where}: storage '{key}' is described twice with different types/sizes.");
            return storages[key] = s;
        }

        var pklEntry = zip.GetEntry(pkl[0])!;
        if (pklEntry.Length > 1L << 30 || !Plausible(pklEntry, fileLength))
            throw new ClipSharpException($"{path}: data.pkl of {pklEntry.Length} bytes is implausibly large.");
        var bytes = new byte[pklEntry.Length];
        using (var s = pklEntry.Open()) s.ReadExactly(bytes);
        var root = new TorchUnpickler(bytes, $"{path} ({pkl[0]})", PersistentLoad).Load();
        var (refs, nested, stripped) = StateDictFinder.Find(path, root);
        return new TorchZipCheckpoint(path, zip, prefix, byteorder == "big", refs, nested, stripped);
    }

    // An entry's sizes come from the zip directory: its uncompressed size can be believed only as far as its bytes in
    // the file can hold it (deflate expands at most 1032:1), so a lying directory cannot make us allocate gigabytes.
    private static bool Plausible(ZipArchiveEntry e, long fileLength) =>
        e.Length <= 1032 * Math.Min(e.CompressedLength, fileLength) + 4096;

    private static string? ReadText(ZipArchive zip, string name)
    {
        var e = zip.GetEntry(name);
        if (e == null || e.Length > 4096) return null;
        using var r = new StreamReader(e.Open(), Encoding.UTF8);
        return r.ReadToEnd();
    }

    /// <summary>Reads one tensor onto the CPU in its stored dtype (a contiguous copy).</summary>
    public Tensor Read(string name)
    {
        if (!_refs.TryGetValue(name, out var r)) throw new ClipSharpException($"{Path}: no tensor named '{name}'.");
        using var storage = LoadStorage(r.Storage, r.DType);
        using var view = storage.as_strided(r.Shape, r.Stride, r.Offset);
        var t = empty(r.Shape, r.DType);
        t.copy_(view);
        return t;
    }

    /// <summary>
    /// Reads every tensor (CPU, stored dtypes). Tensors that shared a storage in the file share it here too (they are
    /// views, as after torch.load); each storage is read once.
    /// </summary>
    public Dictionary<string, Tensor> ReadAll()
    {
        var cache = new Dictionary<(string, ScalarType), Tensor>();
        try
        {
            var result = new Dictionary<string, Tensor>();
            foreach (var (name, r) in _refs)
            {
                if (!cache.TryGetValue((r.Storage.Key, r.DType), out var storage))
                    cache[(r.Storage.Key, r.DType)] = storage = LoadStorage(r.Storage, r.DType);
                result[name] = storage.as_strided(r.Shape, r.Stride, r.Offset);
            }
            return result;
        }
        finally
        {
            foreach (var s in cache.Values) s.Dispose(); // the views keep the native storage alive
        }
    }

    /// <summary>Reads every state-dict tensor of a file and closes it.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var c = Open(path);
        return c.ReadAll();
    }

    // The whole storage as a 1-D tensor of dtype (for an UntypedStorage read through _rebuild_tensor_v3, the bytes
    // are reinterpreted as that dtype).
    private Tensor LoadStorage(TorchStorageRef s, ScalarType dtype)
    {
        var entry = _zip.GetEntry($"{_prefix}/data/{s.Key}")!;
        long count = s.ByteLength / TorchPickleGlobals.ElementSize(dtype);
        var t = empty(count, dtype);
        try
        {
            using var stream = entry.Open();
            TensorBytes.Fill(t, stream, _bigEndian);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            t.Dispose();
            throw new ClipSharpException($"{Path}: storage '{s.Key}' could not be read ({e.Message}).", e);
        }
        return t;
    }

    /// <summary>Closes the archive.</summary>
    public void Dispose() => _zip.Dispose();
}
