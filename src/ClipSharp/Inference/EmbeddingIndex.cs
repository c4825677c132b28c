using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using ClipSharp.Core;

namespace ClipSharp.Inference;

/// <summary>
/// An on-disk embedding index: a folder holding <c>vectors.f32</c> (16-byte header "CSIX", version, dim, 0; then one
/// float32 row of length dim per entry, little-endian) and <c>entries.tsv</c> (path, size, write ticks per line, in row
/// order), plus <c>model.json</c>: the <see cref="ModelIdentity"/> of the model whose vectors it holds. Rows are appended (so an interrupted build resumes where it stopped: on open, rows beyond the shorter of
/// the two files are cut); removal compacts both files. Search maps the vectors file and scores every row with SIMD dot
/// products (exact top-k). Not safe for concurrent writers; searches lock against writes.
/// </summary>
public sealed class EmbeddingIndex : IDisposable
{
    private const int HeaderBytes = 16;
    private static readonly byte[] Magic = "CSIX"u8.ToArray();
    private readonly object _gate = new();
    private readonly List<IndexEntry> _entries = [];
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;

    /// <summary>The index folder.</summary>
    public string Directory { get; }

    /// <summary>Vector length.</summary>
    public int Dim { get; }

    /// <summary>Entries in row order.</summary>
    public IReadOnlyList<IndexEntry> Entries { get { lock (_gate) return _entries.ToList(); } }

    /// <summary>Number of rows.</summary>
    public int Count { get { lock (_gate) return _entries.Count; } }

    private string VectorsPath => Path.Combine(Directory, "vectors.f32");
    private string EntriesPath => Path.Combine(Directory, "entries.tsv");

    private EmbeddingIndex(string directory, int dim) { Directory = directory; Dim = dim; }

    /// <summary>True when <paramref name="directory"/> holds an index.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, "vectors.f32"));

    /// <summary>The model that made the vectors (null for an index written before ClipSharp recorded it).</summary>
    public ModelIdentity? Identity => File.Exists(IdentityPath) ? ModelIdentity.Read(IdentityPath) : null;

    private string IdentityPath => Path.Combine(Directory, "model.json");

    /// <summary>Records the model that makes this index's vectors.</summary>
    public void SetIdentity(ModelIdentity identity) { lock (_gate) identity.Write(IdentityPath); }

    /// <summary>Opens an existing index for reading or updating; never creates anything (a missing one is an error naming the path).</summary>
    public static EmbeddingIndex Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new ClipSharpException($"{directory}: index folder not found.");
        return OpenOrCreate(directory);
    }

    /// <summary>Opens the index in <paramref name="directory"/>, creating an empty one of <paramref name="dim"/> when absent (dim ≤ 0: must exist).</summary>
    public static EmbeddingIndex OpenOrCreate(string directory, int dim = 0)
    {
        if (!Exists(directory))
        {
            if (dim <= 0) throw new ClipSharpException($"{directory}: no embedding index (vectors.f32) there; build one with `clipsharp embed`.");
            System.IO.Directory.CreateDirectory(directory);
            var header = new byte[HeaderBytes];
            Magic.CopyTo(header, 0);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 1);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), dim);
            File.WriteAllBytes(Path.Combine(directory, "vectors.f32"), header);
            File.WriteAllText(Path.Combine(directory, "entries.tsv"), "");
            return new EmbeddingIndex(directory, dim);
        }
        var vectors = Path.Combine(directory, "vectors.f32");
        var head = new byte[HeaderBytes];
        using (var fs = File.OpenRead(vectors))
            if (fs.Read(head) != HeaderBytes || !head.AsSpan(0, 4).SequenceEqual(Magic))
                throw new ClipSharpException($"{vectors}: not a ClipSharp embedding index (bad header).");
        int fileDim = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8));
        if (fileDim <= 0) throw new ClipSharpException($"{vectors}: bad vector length {fileDim}.");
        if (dim > 0 && dim != fileDim) throw new ClipSharpException($"{directory}: the index holds {fileDim}-d vectors but the model makes {dim}-d ones.");
        var index = new EmbeddingIndex(directory, fileDim);
        index.LoadEntries();
        return index;
    }

    /// <summary>Appends rows (each of length <see cref="Dim"/>, any norm; stored as given) with their entries.</summary>
    public void Add(IReadOnlyList<IndexEntry> entries, IReadOnlyList<float[]> vectors)
    {
        if (entries.Count != vectors.Count) throw new ArgumentException($"{entries.Count} entries for {vectors.Count} vectors.");
        if (vectors.FirstOrDefault(v => v.Length != Dim) is { } bad) throw new ClipSharpException($"A vector has length {bad.Length}; the index holds {Dim}-d vectors.");
        lock (_gate)
        {
            CloseMap();
            using (var fs = new FileStream(VectorsPath, FileMode.Append, FileAccess.Write))
            {
                var row = new byte[Dim * 4];
                foreach (var v in vectors)
                {
                    if (BitConverter.IsLittleEndian) { fs.Write(MemoryMarshal.AsBytes(v.AsSpan())); continue; }
                    for (int k = 0; k < Dim; k++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(k * 4), v[k]);
                    fs.Write(row);
                }
            }
            File.AppendAllText(EntriesPath, string.Concat(entries.Select(Line)));  // entries last: a crash leaves extra rows, cut on open
            _entries.AddRange(entries);
        }
    }

    /// <summary>Removes the rows of these paths (full paths, ordinal) and compacts the files; returns how many went.</summary>
    public int Remove(IEnumerable<string> paths)
    {
        var drop = paths.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            var keep = Enumerable.Range(0, _entries.Count).Where(i => !drop.Contains(_entries[i].Path)).ToList();
            int removed = _entries.Count - keep.Count;
            if (removed == 0) return 0;
            CloseMap();
            var tmp = VectorsPath + ".tmp";
            using (var src = new FileStream(VectorsPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            using (var dst = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                var buf = new byte[1 << 20];
                CopyBytes(src, dst, 0, HeaderBytes, buf);
                // runs of consecutive kept rows, each copied in 1 MiB pieces (not one seek + read per row)
                for (int r = 0; r < keep.Count;)
                {
                    int end = r + 1;
                    while (end < keep.Count && keep[end] == keep[end - 1] + 1) end++;
                    CopyBytes(src, dst, HeaderBytes + (long)keep[r] * Dim * 4, (long)(end - r) * Dim * 4, buf);
                    r = end;
                }
            }
            var kept = keep.Select(i => _entries[i]).ToList();
            File.WriteAllText(EntriesPath + ".tmp", string.Concat(kept.Select(Line)));
            File.Move(tmp, VectorsPath, overwrite: true);
            File.Move(EntriesPath + ".tmp", EntriesPath, overwrite: true);
            _entries.Clear();
            _entries.AddRange(kept);
            return removed;
        }
    }

    /// <summary>Removes every row (the vector length stays); returns how many went.</summary>
    public int Clear() => Remove(Entries.Select(e => e.Path));

    /// <summary>The stored vector of row <paramref name="row"/>.</summary>
    public float[] Vector(int row)
    {
        lock (_gate) return Rows()[(row * Dim)..((row + 1) * Dim)].ToArray();
    }

    /// <summary>
    /// Exact top-k by dot product (cosine for unit vectors), best first; ties keep row order. <paramref name="threads"/>:
    /// how many threads scan (≤ 0: one per core, fewer for small indexes; the answer does not depend on it).
    /// </summary>
    public unsafe IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, int threads = 0)
    {
        if (query.Length != Dim) throw new ClipSharpException($"The query has {query.Length} values; the index holds {Dim}-d vectors.");
        if (k <= 0) throw new ClipSharpException($"top-k must be positive, not {k}.");
        lock (_gate)
        {
            if (_entries.Count == 0) return [];
            var best = TopKScan.Search(RowsPointer(), _entries.Count, Dim, query, Math.Min(k, _entries.Count), threads);
            return best.Select(b => new SearchHit(_entries[b.Row].Path, b.Score)).ToList();
        }
    }

    /// <inheritdoc/>
    public void Dispose() { lock (_gate) CloseMap(); }

    // the mapped rows (count × dim floats); maps the file on first use after a write
    private unsafe ReadOnlySpan<float> Rows() => _entries.Count == 0 ? [] : new ReadOnlySpan<float>(RowsPointer(), _entries.Count * Dim);

    // the first float of row 0 in the mapping; valid until CloseMap (callers hold _gate)
    private unsafe float* RowsPointer()
    {
        if (_view is null)
        {
            _map = MemoryMappedFile.CreateFromFile(VectorsPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        }
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try { return (float*)(p + _view.PointerOffset + HeaderBytes); }
        finally { _view.SafeMemoryMappedViewHandle.ReleasePointer(); }   // the view stays mapped until CloseMap
    }

    private static void CopyBytes(FileStream src, FileStream dst, long offset, long length, byte[] buf)
    {
        src.Position = offset;
        while (length > 0)
        {
            int n = (int)Math.Min(buf.Length, length);
            src.ReadExactly(buf, 0, n);
            dst.Write(buf, 0, n);
            length -= n;
        }
    }

    private void CloseMap()
    {
        _view?.Dispose();
        _map?.Dispose();
        (_view, _map) = (null, null);
    }

    private void LoadEntries()
    {
        int line = 0;
        foreach (var raw in File.ReadLines(EntriesPath))
        {
            line++;
            if (raw.Length == 0) continue;
            var f = raw.Split('\t');
            if (f.Length != 3 || !long.TryParse(f[1], CultureInfo.InvariantCulture, out var size) || !long.TryParse(f[2], CultureInfo.InvariantCulture, out var ticks))
                throw new ClipSharpException($"{EntriesPath}: line {line} is not \"path<TAB>size<TAB>ticks\".");
            _entries.Add(new IndexEntry(f[0], size, ticks));
        }
        long rows = (new FileInfo(VectorsPath).Length - HeaderBytes) / (Dim * 4L);
        if (rows != _entries.Count)   // an interrupted write: keep the rows both files have
        {
            int n = (int)Math.Min(rows, _entries.Count);
            _entries.RemoveRange(n, _entries.Count - n);
            using (var fs = new FileStream(VectorsPath, FileMode.Open, FileAccess.Write)) fs.SetLength(HeaderBytes + (long)n * Dim * 4);
            File.WriteAllText(EntriesPath, string.Concat(_entries.Select(Line)));
        }
    }

    private static string Line(IndexEntry e)
    {
        if (e.Path.Contains('\t') || e.Path.Contains('\n')) throw new ClipSharpException($"{e.Path}: a path with a tab or newline cannot be indexed.");
        return string.Create(CultureInfo.InvariantCulture, $"{e.Path}\t{e.Size}\t{e.WriteTicks}\n");
    }
}
